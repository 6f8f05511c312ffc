package traces

import (
	"math"
	"math/bits"

	"github.com/fleetsim/fleetsim/sim"
)

// TokenModel turns the token counts of an LLM inference request into work
// at speed 1, for traces that give tokens but no service time (the Azure
// LLM inference trace): a request of p prompt tokens and o output tokens
// has work p·PrefillPerToken + o·DecodePerToken. The task keeps its token
// counts too, so a node with per-token times of its own
// (sim.NodeSpec.PrefillPerToken) serves it by those instead; Work is what
// a node without them (Speed only) uses.
type TokenModel struct {
	PrefillPerToken sim.Time // per prompt (context) token
	DecodePerToken  sim.Time // per generated (output) token
}

// DefaultTokenModel is the model a trace read without one gets: 0.2 ms per
// prompt token and 20 ms per output token. These are round reference
// values, not figures measured here or copied from one table: they are of
// the order that Splitwise (Patel et al., "Splitwise: Efficient generative
// LLM inference using phase splitting", ISCA 2024, the paper the Azure
// trace comes with) characterizes for a 70B-class model served on one
// 8-GPU A100/H100 machine, where the prompt phase processes thousands of
// tokens per second in one compute-bound pass and each generated token
// costs a memory-bound step of some tens of milliseconds. A scenario that
// models particular hardware should set its own.
var DefaultTokenModel = TokenModel{
	PrefillPerToken: 200 * sim.Microsecond,
	DecodePerToken:  20 * sim.Millisecond,
}

// Validate reports a negative per-token time as a *ParamError.
func (m TokenModel) Validate() error {
	switch {
	case m.PrefillPerToken < 0:
		return &ParamError{Kind: "token model", Param: "prefill_per_token", Msg: "expected a non-negative time per token, got " + FormatSeconds(m.PrefillPerToken) + " s"}
	case m.DecodePerToken < 0:
		return &ParamError{Kind: "token model", Param: "decode_per_token", Msg: "expected a non-negative time per token, got " + FormatSeconds(m.DecodePerToken) + " s"}
	}
	return nil
}

// Work returns prompt·PrefillPerToken + output·DecodePerToken, saturating
// at sim.MaxTime. Negative counts or times count as 0.
func (m TokenModel) Work(prompt, output int32) sim.Time {
	w, _ := m.work(prompt, output)
	return w
}

// work is Work, with ok false when the sum does not fit (and w is then
// sim.MaxTime).
func (m TokenModel) work(prompt, output int32) (w sim.Time, ok bool) {
	a, okA := mulTime(prompt, m.PrefillPerToken)
	b, okB := mulTime(output, m.DecodePerToken)
	if !okA || !okB || a > sim.MaxTime-b {
		return sim.MaxTime, false
	}
	return a + b, true
}

// mulTime is n·t for non-negative n and t (a negative one counts as 0),
// with ok false on overflow.
func mulTime(n int32, t sim.Time) (sim.Time, bool) {
	if n <= 0 || t <= 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(uint64(n), uint64(t))
	if hi != 0 || lo > math.MaxInt64 {
		return sim.MaxTime, false
	}
	return sim.Time(lo), true
}
