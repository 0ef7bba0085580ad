package proxy

import (
	"sync"
	"time"

	"github.com/sciswift/sciswift/server/swift"
)

// tick is Swift's timestamp resolution.
const tick = 10 * time.Microsecond

// timestamper hands out X-Timestamps that strictly increase within this
// proxy: two writes it forwards never share a timestamp, even within one
// 10µs tick or when the wall clock steps back, so the later request always
// wins on the replicas, as the client saw them ordered.
type timestamper struct {
	clock func() time.Time
	mu    sync.Mutex
	last  swift.Timestamp
}

func (t *timestamper) next() swift.Timestamp {
	now := swift.FromTime(t.clock())
	t.mu.Lock()
	defer t.mu.Unlock()
	if !now.After(t.last) {
		now = swift.FromTime(t.last.Time().Add(tick))
	}
	t.last = now
	return now
}
