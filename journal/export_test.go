package journal

// WithFdatasync returns opt with the journal's fdatasync replaced by f, so
// that a test can hold an fsync up.
func WithFdatasync(opt Options, f func(fd int) error) Options {
	opt.fdatasync = f
	return opt
}
