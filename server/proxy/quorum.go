package proxy

import "github.com/sciswift/sciswift/server/swift"

// quorumSize is Swift's quorum_size for replicated data: a majority.
func quorumSize(n int) int { return n/2 + 1 }

// bestResponse is Swift's best_response: the answer of the first status
// class (1xx, 2xx, 3xx, 4xx, in that order) that a quorum of replies falls
// in, as the largest status of that class; without such a class, the same
// after applying overrides (a 404 from a DELETE counts as 204); else 503.
func bestResponse(replies []reply, quorum int, overrides map[int]int) (reply, error) {
	if rep, ok := quorumResponse(replies, quorum); ok {
		return rep, nil
	}
	if len(overrides) > 0 {
		changed := make([]reply, len(replies))
		for i, rep := range replies {
			changed[i] = rep
			if to, ok := overrides[rep.status]; ok {
				changed[i] = reply{status: to}
			}
		}
		if rep, ok := quorumResponse(changed, quorum); ok {
			return rep, nil
		}
	}
	return reply{}, swift.ErrServiceUnavailable
}

func quorumResponse(replies []reply, quorum int) (reply, bool) {
	for hundred := 100; hundred < 500; hundred += 100 {
		best, count := -1, 0
		for i, rep := range replies {
			if rep.status < hundred || rep.status >= hundred+100 {
				continue
			}
			count++
			if best < 0 || rep.status > replies[best].status {
				best = i
			}
		}
		if count >= quorum && best >= 0 {
			return replies[best], true
		}
	}
	return reply{}, false
}

// readVerdict turns the replies of a read that found no good source into
// the client's answer, with quorum over the nodes tried, as Swift's
// GETorHEAD_base; no replies at all (an empty ring) is a 503.
func readVerdict(replies []reply) (reply, error) {
	if len(replies) == 0 {
		return reply{}, swift.ErrServiceUnavailable
	}
	return bestResponse(replies, quorumSize(len(replies)), nil)
}
