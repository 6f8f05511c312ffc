package manifest_test

import (
	"fmt"

	"github.com/fleetsim/fleetsim/scenario/manifest"
)

func ExampleReadBytes() {
	set, err := manifest.ReadBytes("web.yaml", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        resources: {requests: {cpu: 500m, memory: 1Gi}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range set.Pods {
		fmt.Println(it.Pod.Name, it.Pod.Owner, it.Pod.Requests.MilliCPU, "millicores")
	}
	_, err = manifest.ReadBytes("bad.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 2 cpus}}\n"))
	fmt.Println(err)
	// Output:
	// web-0 Deployment/web 500 millicores
	// web-1 Deployment/web 500 millicores
	// bad.yaml:7: Pod default/p: spec.containers[0].resources.requests.cpu: expected a quantity such as 500m, 2 or 4Gi, got "2 cpus"
}
