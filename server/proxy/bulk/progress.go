package bulk

import (
	"net/http"
	"time"
)

// Progress keeps a long-running bulk-style response alive. A short
// request can cause hours of work, so Swift answers 200 at once and sends
// a whitespace byte every yield_frequency seconds while it works, then
// "\r\n\r\n" and the result, so that no proxy or client times out.
type Progress struct {
	w       http.ResponseWriter
	next    string // what the next heartbeat writes
	written bool
	stop    chan struct{}
	done    chan struct{}
}

// StartProgress begins heartbeats on w, whose header must have been
// written. The first heartbeat writes first (Swift sends the XML
// declaration there for XML bodies), later ones a space. With now, the
// first heartbeat is sent at once, as SLO's heartbeat=on does.
func StartProgress(w http.ResponseWriter, first string, every time.Duration, now bool) *Progress {
	p := &Progress{w: w, next: first, stop: make(chan struct{}), done: make(chan struct{})}
	if now {
		p.beat()
	}
	go p.loop(every)
	return p
}

func (p *Progress) loop(every time.Duration) {
	defer close(p.done)
	if every <= 0 {
		<-p.stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.beat()
		}
	}
}

// beat runs on the caller's goroutine before loop starts, then only on
// loop's, and Finish waits for loop to end: writes never overlap.
func (p *Progress) beat() {
	_, _ = p.w.Write([]byte(p.next))
	_ = http.NewResponseController(p.w).Flush()
	p.next, p.written = " ", true
}

// Finish stops the heartbeats and writes the result body, after the
// separator if anything was sent before it.
func (p *Progress) Finish(body []byte) {
	close(p.stop)
	<-p.done
	if p.written {
		_, _ = p.w.Write([]byte("\r\n\r\n"))
	}
	_, _ = p.w.Write(body)
}
