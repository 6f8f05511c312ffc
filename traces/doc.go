// Package traces produces workloads for fleetsim: streaming readers and
// writers of trace files, and synthetic generators. Everything it yields is
// a sim.Source, a stream of sim.Task in arrival order.
//
// # The Source contract
//
// A sim.Source fills a caller's Task on each call of Next and returns nil,
// io.EOF at the end, or an error saying where the input went wrong:
//
//	var t sim.Task
//	for {
//		err := src.Next(&t)
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // a *traces.Error: file, line, column, what was expected
//		}
//		// use t; the source keeps no reference to it
//	}
//
// Arrivals never decrease, except in an openb pod list, which need not be
// sorted (the engine reports a task that arrives before its predecessor).
// Readers stream: they hold one line at a time, never the file, so memory
// does not grow with trace length. After an error or io.EOF a reader keeps
// returning the same value. Every reader is also a Positioner: Position
// gives the file and line of the task last returned (the trace cache's
// reader: its 1-based row), so a caller that finds a problem with a task
// later can point at its line.
//
// # The native format
//
// A native CSV trace has a header row naming its columns, in any order,
// then one task per row:
//
//	id,arrival,duration,cpu,memory,gpus,gpu_milli,priority,tenant,region,class,gpu_spec,estimate,prompt_tokens,output_tokens
//	1,0,1.5,2,4Gi,0,0,0,alice,us-east,web,,0,0,0
//	2,0.25,0.000000001,0.5,512Mi,1,0,10,bob,eu-west,train,V100M16|V100M32,3600,0,0
//	3,0.5,0.5538,0,0,0,0,0,,,,,0,1469,13
//
// Columns:
//
//	arrival    required  seconds since the start, decimal; non-decreasing down the file
//	duration   required  seconds of work at speed 1 (a node of speed s takes duration/s)
//	id         optional  integer; when the column is absent or the cell empty, the
//	                     task's position in the stream (0, 1, 2, …). Not checked for uniqueness.
//	cpu        optional  cores, decimal (0.5 is half a core); kept as milli-cores
//	memory     optional  bytes, or with a suffix K, M, G, T (powers of 1000) or
//	                     Ki, Mi, Gi, Ti (powers of 1024): 512Mi, 1.5Gi, 2G. Must come
//	                     to a whole number of bytes.
//	gpus       optional  whole GPUs, a non-negative integer
//	gpu_milli  optional  share of one GPU in thousandths, 0 to 1000
//	priority   optional  integer; larger runs first under priority policies
//	tenant, region, class  optional  free text
//	gpu_spec   optional  the GPU models the task may run on, separated by '|'
//	                     (V100M16|V100M32); empty: any model
//	estimate   optional  the user's runtime estimate at speed 1, seconds like
//	                     duration; 0 or empty: unknown (backfilling reads it)
//	prompt_tokens, output_tokens  optional  an LLM inference request's prompt
//	                     (context) and output (generated) tokens, whole numbers
//	                     from 0 to 2147483647; on a node with per-token times
//	                     they, not duration, set the service time
//	workflow   optional  the DAG the task belongs to (free text); a workflow's rows
//	                     follow one another and share one arrival time
//	parents    optional  ids of the task's parents in its workflow, separated by
//	                     ';', each before its child in the file; an id may be
//	                     followed by ':bytes', the data that edge carries (1:50;2)
//	output_bytes  optional  bytes the task hands each child (size suffixes as
//	                     memory), unless the child's edge names its own
//	nodes      optional  a gang's node count: the task runs on that many nodes
//	                     at once, each holding its cpu, memory and GPUs (0, 1: one)
//
// An empty cell of an optional column is its zero value (for id, the
// position). Unknown and duplicate columns are errors, as are negative,
// NaN, infinite and out-of-range values. Blank lines are skipped; a
// byte-order mark, CRLF and CR-only line ends and spaces around names and
// numbers are accepted. Fields follow RFC 4180 quoting ("carol, inc", "say
// ""hi""").
// Integer columns also take whole decimals such as 2.0 or 1e3.
//
// A native JSONL trace carries the same keys, one JSON object per line:
//
//	{"id":1,"arrival":0,"duration":1.5,"cpu":2,"memory":"4Gi","tenant":"alice"}
//
// Numbers are JSON numbers; memory may also be a size string; a missing key
// or null is the zero value, except that arrival and duration are
// required. Unknown and duplicate keys, and values of the wrong JSON type,
// are errors. Lines may be up to MaxJSONLLine bytes; a byte-order mark is
// accepted.
//
// Every line-oriented reader (CSV, openb, Azure LLM, SWF) reads lines of
// up to MaxLine bytes (1 MiB), counted after gzip decompression, so a
// file of one endless line, /dev/zero or a gzip of NUL bytes ends in an
// error naming the file and line instead of exhausting memory. CR-only
// line ends (old Mac tools) are line ends for all of them. A named pipe
// is opened without waiting for a writer: one with no writer reads as an
// empty file.
//
// The CSV writer emits every column, in the order above (gpu_spec,
// estimate, prompt_tokens and output_tokens last) except the workflow and
// gang columns (workflow, parents, output_bytes, nodes), which it adds
// after them when asked (CSVWriter.Workflows; trace convert and trace gen
// --workflows, and trace gen of a scenario with a workflows section); the
// JSONL writer leaves out keys whose value is zero or empty, except id,
// arrival and duration. A CSV whose header is exactly the writer's
// (without the workflow columns) is read fastest: its rows go through a
// scanner that knows where each column is and takes numbers spelled as the
// writer spells them; any other row, and any other header, is read by the
// general path, to the same tasks and with the same errors.
//
// # The trace cache
//
// A trace cache (.fsc, format "fsc") is a binary columnar copy of a trace
// that replays to the very tasks the trace it came from gives, without
// parsing text: fleetsim trace convert jobs.csv jobs.fsc writes it
// (CacheWriter), and Open, a scenario's workload.trace and every command
// that reads traces read it by its extension or the format name
// (CacheReader). Replaying 2 M requests from a cache costs about as much
// CPU per request as generating them, or less; from a native CSV as the
// writers write it about a tenth more (README, Scale). Workflow tasks
// (workflow, parents) are not cached: convert refuses them by name.
//
// Layout, every integer little-endian: a 16-byte header (the magic bytes
// 89 46 53 43 0d 0a 1a 0a, version uint32 = 1, flags uint32 = 0), then
// blocks of at most 65,536 rows, then an end block. A block header is
// rows, fields (bit i: field i is stored), payload size and the payload's
// CRC-32C, each uint32; the payload holds, for each stored field in bit
// order, the block's values of that field (id, arrival, duration, cpu,
// memory, estimate, output_bytes, memory_use, memory_rate: int64; gpus,
// gpu_milli, priority, prompt_tokens, output_tokens, nodes: int32; tenant,
// region, class, gpu_spec: a uint32 index into the block's string table),
// then, when a text field is stored, the string table (a count, the
// lengths, the bytes). Fields are numbered id 0, arrival 1, duration 2,
// cpu 3, memory 4, gpus 5, gpu_milli 6, priority 7, estimate 8,
// prompt_tokens 9, output_tokens 10, output_bytes 11, nodes 12,
// memory_use 13, memory_rate 14, tenant 15, region 16, class 17,
// gpu_spec 18. A field left out of a block is zero there, except id,
// which is then the row's number in the file from 0 (as the native
// readers number tasks without an id). The end block has rows 0, fields
// 0, size 8, and holds the file's row count; nothing may follow it.
//
// A reader holds one block (at most 32 MiB, a header's claims checked
// against the bytes left in the file before anything is allocated) and
// refuses, with one line naming the file, the byte offset, the 1-based
// row where one is to blame and what was expected, a file that is cut
// short, has a bad checksum, another version, a negative size or time,
// gpu_milli over 1000, a string index outside its table or arrivals out
// of order:
//
//	jobs.fsc: byte 8: expected version 1, got 2 (convert the trace again with this fleetsim)
//	jobs.fsc: byte 28: block checksum: expected CRC-32C 0xcd9b56e7 of the payload, got 0x428ed6f3 (corrupted?)
//	jobs.fsc: byte 24: block header: payload of 344 bytes, but only 68 bytes follow (truncated?)
//	jobs.fsc: byte 56: row 2: column arrival: expected arrivals in order: 0.5 is earlier than the previous row's 1
//
// # Workflows
//
// ReadWfFormat reads a WfCommons WfFormat instance (schema 1.4 or 1.5):
// one DAG whose tasks carry their recorded runtimes, cores, memory and
// machines, in topological order, with the data on each edge (the files
// the parent writes and the child reads). A bad instance is an *Error
// naming the file and the line (bad JSON) or the JSON path (bad content:
// an unsupported schema version, a cycle, a parent that is not a task).
// DAGGen generates random layered or fork-join workflows with a
// communication-to-computation ratio (docs/workflows.md).
//
// # Other formats
//
// openb: the pod lists of the Alibaba GPU cluster trace 2023 (Weng et al.,
// ATC '23), CSV read by OpenbReader: cpu_milli, memory_mib (MiB), num_gpu
// and gpu_milli become a task's CPU, memory and GPU request; gpu_spec its
// allowed models, qos its class; creation_time its arrival and
// deletion_time − scheduled_time its work. The five-column multigpu files
// have no timestamps: their tasks arrive at 0 with work 0. The format has
// no extension of its own, so name it ("openb"). ReadOpenbNodes reads the
// node lists into node specs.
//
// swf: the Standard Workload Format of the Parallel Workloads Archive
// (.swf), read by SWFReader: job number, submit time, run time, processors
// (1000 milli-cores each), requested time (the estimate), requested memory,
// user ("u7") and queue ("q2"). Its header comments (MaxProcs, ...) come
// with the reader; jobs whose processors, run time or submit time are
// unknown are skipped and counted.
//
// azure-llm: the Azure LLM inference trace 2023 (Azure/AzurePublicDataset,
// the data of Patel et al., "Splitwise", ISCA 2024), CSV read by
// AzureLLMReader: TIMESTAMP (2023-11-16 18:17:03.9799600, no time zone)
// minus the first row's is a request's arrival, to the nanosecond;
// ContextTokens and GeneratedTokens its PromptTokens and OutputTokens. The
// trace has no service times: work is derived from the tokens by a
// TokenModel, p·PrefillPerToken + o·DecodePerToken (DefaultTokenModel, 0.2
// ms and 20 ms, when read through Open). Columns are found by name; others
// are ignored. Like openb it is named, never inferred from ".csv".
//
// # Exact times
//
// Times are integer nanoseconds (sim.Time). Readers parse decimal seconds
// with integer arithmetic, never through float64: "0.1" is exactly
// 100000000 ns, and exponent notation ("1.5e-3") is exact too. Digits
// beyond the ninth decimal are rounded half to even ("2.5e-9" is 2 ns);
// cpu likewise beyond the third. Writers print times from the integer,
// with trailing zeros trimmed (1.5, 0.000000001, 12), so reading what a
// writer wrote gives back the same tasks, bit for bit.
//
// # Errors
//
// Every reader error is an *Error whose text names the file, the line (the
// header is line 1), the column and what was expected; the openb, SWF
// and azure-llm readers add the byte column where the bad field starts:
//
//	jobs.csv:17: column duration: expected a non-negative number of seconds, got "abc"
//	pods.csv:5:16: column gpu_milli: GPU share over 1000 milli: got "1500"; ...
//
// # Opening files
//
// Open reads a file in a named format (csv, jsonl, openb, swf, azure-llm, fsc), or infers
// it from the extension (.csv; .jsonl or .ndjson; .swf); a .gz suffix adds
// gzip decompression. RegisterFormat adds formats, and Formats lists them.
//
// A CSV or JSONL trace that is a regular file (plain or gzip'd) Open reads ahead
// when Go may run two threads (GOMAXPROCS > 1): a goroutine reads,
// inflates and parses its rows in batches of a few thousand tasks beside
// the simulation, which then takes each task from a batch. The tasks, the
// line Position gives for each, and the error that ends them (in the same
// words, when the caller reaches it) are the reader's own; the goroutine
// holds at most four batches, and the Closer Open returns stops it and
// waits for it, so none outlives Close (a Next after Close gives at most
// the rest of the batch in hand, then an error). A named pipe or a device
// is read as it comes, as are the other formats, and with GOMAXPROCS=1
// there is no goroutine.
//
// With GOMAXPROCS=1, a native CSV trace that is a regular file (not gzip'd)
// is read in place on Linux: Open maps the file into memory and the native
// scanner reads its rows there, without the copy of each byte that read
// makes. At the first line it does not take as a native row (a blank line,
// a quote, a CR, another form, an error, a line over MaxLine, the end), the
// reader goes on from that line by reading the file: the same tasks, lines
// and errors. A file truncated while it is read in place ends the rows
// with an error that names the line ("the file changed while it was
// read"), where read would have met the end; the pages the reader has gone
// past leave the process's resident set as it goes; Close unmaps the file.
//
// # Synthetic workloads
//
// A Generator combines an Arrivals process (interarrival gaps) with a
// Service distribution (work at speed 1) into an endless stream. Gaps come
// from the random stream (seed, "arrivals") and work from (seed,
// "service"), so changing one never shifts the other. Task i arrives at the
// sum of the first i+1 gaps. Next allocates nothing.
//
// Arrival processes, with λ the long-run rate per second (MeanRate):
//
//	Poisson{Rate}         exponential gaps of mean 1/Rate
//	Deterministic{Rate}   every gap 1/Rate
//	NewBursty(rates, hold)  MMPP-2: Poisson at rates[i] in state i, which lasts an
//	                      exponential time of mean hold[i]; λ = Σ rates[i]·hold[i] / Σ hold[i]
//
// Service distributions, by mean (MeanSeconds) and squared coefficient of
// variation SCV = Var/mean²:
//
//	Exponential{Mean}          SCV 1
//	Constant{Value}            SCV 0
//	Lognormal{Mean, CV}        exp(μ+σZ), σ² = ln(1+CV²), μ = ln(Mean) − σ²/2; SCV CV²
//	BoundedPareto{Alpha, Min, Max}  density ∝ x^(−α−1) on [Min, Max], by inversion;
//	                           E[X] = Min·α/(α−1)·(1 − c^(α−1))/(1 − c^α), c = Min/Max
//	                           (Min·ln(1/c)/(1 − c) at α = 1)
//	HyperExponential{Mean, CV} two balanced exponential phases, CV ≥ 1:
//	                           p₁ = (1 + √((CV²−1)/(CV²+1)))/2, rates 2p_i/Mean; SCV CV²
//	Empirical{Quantiles}       a log's quantile function at probabilities 0, 1/k, …, 1,
//	                           geometric between neighbouring quantiles (linear from 0);
//	                           exact moments per segment, E[X] = (b − a)/ln(b/a)
//
// Users' runtime estimates for generated tasks: NewWithEstimates draws each
// task's factor requested time / run time from quantiles fitted to a log
// (Overestimate) and sets Task.Estimate.
//
// Sampled work is rounded to the nanosecond and is at least 1 ns. Each type
// has a Validate method; a Generator built from invalid parameters returns
// the *ParamError from every Next.
//
// The interfaces' methods are MeanRate and MeanSeconds rather than Rate
// and Mean because the parameter fields carry those names, as a scenario
// file does (Poisson{Rate: 45}); Go does not allow a field and a method of
// one name.
//
// # Statistics
//
// ComputeStats summarizes any Source (count, span, rate, interarrival and
// duration means and CVs, resource totals, GPU requests by form, distinct
// task shapes, arrivals out of order, and for LLM requests the prompt and
// output tokens' mean, median, 99th percentile and maximum); give a limit
// for a generator.
package traces
