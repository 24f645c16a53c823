package dump

// Bounds of a stack. Go itself elides the middle of a deep stack, printing
// its innermost 50 frames and its outermost 50 around "...N frames
// elided...", and at most 50 ancestors' stacks; Read does the same for any
// stack a dump holds, whatever wrote it, so that a stack of millions of
// frames takes no more memory than one of a few hundred. It keeps the
// innermost frames, where a goroutine is blocked, and the outermost, what
// it was started with (Goroutine.Entry).
const (
	// MaxInnerFrames is how many of a stack's innermost frames Read keeps.
	MaxInnerFrames = 100
	// MaxOuterFrames is how many of a stack's outermost frames Read keeps,
	// past the MaxInnerFrames innermost: a deeper stack loses its middle.
	MaxOuterFrames = 100
	// MaxAncestors is how many of a goroutine's ancestors' stacks
	// (GODEBUG=tracebackancestors) Read keeps, its nearest first: Go
	// prints 50 at most.
	MaxAncestors = 50
)

// stack collects a stack's frames, innermost first, as a dump lists them:
// the first MaxInnerFrames, then the last MaxOuterFrames in a ring, so that
// a frame costs the same however deep the stack. Its frames are kept from
// one stack to the next, to be written over: done hands out a copy of the
// length the stack needs, so that a stack costs one allocation.
type stack struct {
	frames []Frame
	// next is, once the ring is full, where in it the oldest frame is,
	// which the next frame replaces; 0 before.
	next int
}

// push adds the frame that is outer to the ones before.
func (s *stack) push(f Frame) {
	if len(s.frames) < MaxInnerFrames+MaxOuterFrames {
		s.frames = append(s.frames, f)
		return
	}
	ring := s.frames[MaxInnerFrames:]
	ring[s.next] = f
	s.next = (s.next + 1) % MaxOuterFrames
}

// last is the frame pushed last, for its file and line; nil before any.
func (s *stack) last() *Frame {
	switch {
	case len(s.frames) == 0:
		return nil
	case s.next == 0:
		return &s.frames[len(s.frames)-1]
	}
	return &s.frames[MaxInnerFrames+s.next-1]
}

// reset empties s for another stack.
func (s *stack) reset() {
	s.frames, s.next = s.frames[:0], 0
}

// done returns the frames kept, innermost first, nil for none, and empties
// s for another stack.
func (s *stack) done() []Frame {
	if len(s.frames) == 0 {
		return nil
	}
	frames := make([]Frame, 0, len(s.frames))
	frames = append(frames, s.frames[:min(len(s.frames), MaxInnerFrames)]...)
	if len(s.frames) > MaxInnerFrames {
		ring := s.frames[MaxInnerFrames:]
		frames = append(append(frames, ring[s.next:]...), ring[:s.next]...)
	}
	s.reset()
	return frames
}
