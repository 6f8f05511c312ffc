package external

// Pid is the strategy process's id (for the benchmarks' CPU accounting).
func (s *Strategy) Pid() int { return s.p.cmd.Process.Pid }
