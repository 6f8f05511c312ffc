package strategies

import "github.com/fleetsim/fleetsim/sim"

// Broker is the message-queue pattern: tasks are not pushed to nodes but
// left on one shared FIFO, a broker queue, and every node pulls the oldest
// task whenever one of its slots frees: the competing consumers of
// Hohpe and Woolf's Enterprise Integration Patterns (2003), as workers
// consume a RabbitMQ or SQS queue, or Celery workers with prefetch 1.
//
// The strategy itself does nothing: its Pick returns sim.ToBroker for every
// task (sim.Drop when the cluster has no node), its Pulls method tells the
// engine to keep the broker queue (sim.Puller), and the engine hands the
// oldest task to each slot that frees. Which node serves a task is thus the
// engine's decision: only nodes in service consume, so health, pool
// membership and draining are the engine's business, as a consumer that
// is down stops pulling from a real queue. No task ever waits behind
// another at a node while a slot elsewhere is idle, so with n single-slot
// nodes, Poisson arrivals and exponential service the system is the M/M/c
// queue (c = n), the bound that join-the-shortest-queue approaches and that
// every push-based balancer is measured against. What it costs in practice
// (a round trip to the broker per task, the broker's own capacity) is not
// modelled here.
type Broker struct{}

var _ sim.Picker = Broker{}

func newBroker(Args, *sim.Rand) (sim.Strategy, error) { return Broker{}, nil }

// Name implements sim.Strategy.
func (Broker) Name() string { return "queue" }

// Pulls marks Broker as a consumer of the engine's broker queue
// (sim.Puller): the engine then keeps the queue and the free slots.
func (Broker) Pulls() {}

// Pick implements sim.Picker: every task goes to the broker queue.
func (Broker) Pick(v *sim.View, _ *sim.Task) int {
	if v.Len() == 0 {
		return sim.Drop
	}
	return sim.ToBroker
}
