package manifest

import "testing"

// FuzzReadBytes: no input makes the reader panic; every failure is an
// *Error on one line.
func FuzzReadBytes(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [1, {kind: Pod}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, resources: {requests: {cpu: -1}}}], affinity: {podAffinity: {}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ReadBytes("f.yaml", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
