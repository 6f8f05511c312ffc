package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"math"
	"math/big"
	"os"
)

// prec is the working precision in bits: the recursion over 255 layers and
// the 2^11-fold squaring in bigExp lose far fewer bits than the 256-53 spare.
const prec = 256

// layers is the number of ziggurat layers; the index is the low 8 bits of
// a 64-bit draw. fracBits is the width of the draw's magnitude (its top 53
// bits), exactly representable in a float64.
const (
	layers   = 256
	fracBits = 53
)

func newF(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }

// bigExp returns e^x: x is halved s times to below 2^-8, the Taylor series
// summed there, and the result squared s times.
func bigExp(x *big.Float) *big.Float {
	y := new(big.Float).SetPrec(prec).Set(x)
	s := 0
	for y.MantExp(nil) > -8 {
		y.SetMantExp(y, -1)
		s++
	}
	sum, term := newF(1), newF(1)
	eps := -prec - 8
	for k := 1; ; k++ {
		term.Mul(term, y)
		term.Quo(term, newF(float64(k)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < eps {
			break
		}
	}
	for ; s > 0; s-- {
		sum.Mul(sum, sum)
	}
	return sum
}

// bigLog returns ln y for y > 0 by Newton's method on e^z = y, starting
// from the float64 logarithm: z += 2(y - e^z)/(y + e^z), cubically
// convergent, so a handful of steps reach the working precision.
func bigLog(y *big.Float) *big.Float {
	f, _ := y.Float64()
	z := newF(math.Log(f))
	for range 8 {
		e := bigExp(z)
		num := new(big.Float).SetPrec(prec).Sub(y, e)
		den := new(big.Float).SetPrec(prec).Add(y, e)
		d := num.Quo(num, den)
		d.SetMantExp(d, 1)
		z.Add(z, d)
		if d.Sign() == 0 || d.MantExp(nil) < -prec+4 {
			break
		}
	}
	return z
}

// ladder returns the layer boundaries x[1..255] for base r (x[255] = r,
// each x[i-1] = -ln(v/x[i] + e^(-x[i])), v = (r+1)·e^(-r)) and the closing
// error v/x[1] + e^(-x[1]) - 1, zero for the true r. A ladder that reaches
// the peak early (r too small) reports +1.
func ladder(r *big.Float) (x [layers]*big.Float, v, closing *big.Float) {
	one := newF(1)
	v = new(big.Float).SetPrec(prec).Add(r, one)
	v.Mul(v, bigExp(new(big.Float).SetPrec(prec).Neg(r)))
	x[layers-1] = new(big.Float).SetPrec(prec).Set(r)
	top := func(xi *big.Float) *big.Float { // v/x_i + e^(-x_i)
		t := new(big.Float).SetPrec(prec).Quo(v, xi)
		return t.Add(t, bigExp(new(big.Float).SetPrec(prec).Neg(xi)))
	}
	for i := layers - 1; i > 1; i-- {
		t := top(x[i])
		if t.Cmp(one) >= 0 {
			return x, v, one
		}
		x[i-1] = bigLog(t)
		x[i-1].Neg(x[i-1])
	}
	closing = top(x[1])
	return x, v, closing.Sub(closing, one)
}

// solveR finds the base r: bisection on [7, 8] to 1e-9, then secant steps.
func solveR() *big.Float {
	lo, hi := newF(7), newF(8)
	for range 34 {
		mid := new(big.Float).SetPrec(prec).Add(lo, hi)
		mid.SetMantExp(mid, -1)
		if _, _, c := ladder(mid); c.Sign() > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	r0, r1 := lo, hi
	_, _, g0 := ladder(r0)
	_, _, g1 := ladder(r1)
	for range 40 {
		// r2 = r1 - g1 (r1 - r0) / (g1 - g0)
		dr := new(big.Float).SetPrec(prec).Sub(r1, r0)
		dg := new(big.Float).SetPrec(prec).Sub(g1, g0)
		if dg.Sign() == 0 {
			break
		}
		step := dr.Mul(dr, g1)
		step.Quo(step, dg)
		r2 := new(big.Float).SetPrec(prec).Sub(r1, step)
		r0, g0 = r1, g1
		r1 = r2
		_, _, g1 = ladder(r1)
		if step.Sign() == 0 || step.MantExp(nil) < -prec+16 {
			return r1
		}
	}
	log.Fatal("ziggen: the secant iteration for r did not converge")
	return nil
}

// Tables are the exponential ziggurat's tables, rounded to nearest.
type Tables struct {
	R, V float64         // base r and layer area v
	K    [layers]uint64  // acceptance thresholds on the 53-bit magnitude
	W    [layers]float64 // layer widths over 2^53
	F    [layers]float64 // e^(-x_i), with F[0] = f(0) = 1
}

// Compute derives the tables. Layer 0 is the base (width q = v/f(r), the
// rectangle under f(r) plus the tail folded into it), layer 255 the one
// above it (width r) and layer 1 the top one; K[i] = floor(2^53 ·
// x[i-1]/x[i]) (x[0] = 0, so K[1] = 0), K[0] = floor(2^53 · r/q).
func Compute() Tables {
	r := solveR()
	x, v, _ := ladder(r)
	scale := new(big.Float).SetPrec(prec).SetMantExp(newF(1), fracBits)
	q := new(big.Float).SetPrec(prec).Quo(v, bigExp(new(big.Float).SetPrec(prec).Neg(r)))
	var t Tables
	t.R, _ = r.Float64()
	t.V, _ = v.Float64()
	thresh := func(num, den *big.Float) uint64 {
		k := new(big.Float).SetPrec(prec).Quo(num, den)
		k.Mul(k, scale)
		u, _ := k.Uint64() // truncates toward zero: floor for k >= 0
		return u
	}
	width := func(w *big.Float) float64 {
		f, _ := new(big.Float).SetPrec(prec).Quo(w, scale).Float64()
		return f
	}
	t.K[0] = thresh(r, q)
	t.W[0] = width(q)
	t.F[0] = 1
	for i := 1; i < layers; i++ {
		if i > 1 {
			t.K[i] = thresh(x[i-1], x[i])
		}
		t.W[i] = width(x[i])
		t.F[i], _ = bigExp(new(big.Float).SetPrec(prec).Neg(x[i])).Float64()
	}
	return t
}

// Source returns the formatted Go file holding t.
func Source(t Tables) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./internal/ziggen; DO NOT EDIT.\n\n")
	b.WriteString("package sim\n\n")
	b.WriteString("// The exponential ziggurat's tables (Marsaglia and Tsang 2000, 256 layers),\n")
	b.WriteString("// correctly rounded from 256-bit arithmetic; see internal/ziggen and\n")
	b.WriteString("// Rand.ExpFloat64. Layer i is picked by a draw's low 8 bits, its magnitude\n")
	b.WriteString("// j by the top 53: j < zigExpK[i] accepts x = j·zigExpW[i] at once.\n")
	fmt.Fprintf(&b, "const (\n\tzigExpR = %v // base r: the root of the closing condition\n", t.R)
	fmt.Fprintf(&b, "\tzigExpV = %v // layer area v = (r+1)·e^(-r)\n)\n\n", t.V)
	b.WriteString("// zigExpK[i] = floor(2^53 · x[i-1]/x[i]), the magnitudes whose point lies\n")
	b.WriteString("// inside the density (zigExpK[0] = floor(2^53 · r/q) for the base).\n")
	writeTable(&b, "zigExpK", "uint64", "%#x", t.K[:])
	b.WriteString("\n// zigExpW[i] = x[i]/2^53 (zigExpW[0] = q/2^53, q = v/e^(-r)).\n")
	writeTable(&b, "zigExpW", "float64", "%v", t.W[:])
	b.WriteString("\n// zigExpF[i] = e^(-x[i]) (zigExpF[0] = 1, the peak).\n")
	writeTable(&b, "zigExpF", "float64", "%v", t.F[:])
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("ziggen: formatting: %v", err)
	}
	return src
}

func main() {
	out := "ziggurat_tables.go"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, Source(Compute()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// writeTable writes var name = [len]typ{...}, four values a line in verb.
func writeTable[T any](b *bytes.Buffer, name, typ, verb string, vals []T) {
	fmt.Fprintf(b, "var %s = [%d]%s{\n", name, len(vals), typ)
	for i, v := range vals {
		fmt.Fprintf(b, "\t"+verb+",", v)
		if i%4 == 3 {
			b.WriteString("\n")
		}
	}
	b.WriteString("}\n")
}
