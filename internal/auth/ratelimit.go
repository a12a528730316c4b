package auth

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterConfig tunes a LoginLimiter; zero fields take the defaults.
type LimiterConfig struct {
	// PerUser and UserBurst limit attempts at one username, from anywhere
	// (default: 5 at once, then one every 12 s).
	PerUser   rate.Limit
	UserBurst int
	// PerIP and IPBurst limit attempts from one client address, at any
	// username (default: 20 at once, then one every 3 s).
	PerIP   rate.Limit
	IPBurst int
	// MaxKeys bounds how many usernames and how many addresses are
	// remembered (default 10,000 each); the least recently seen is
	// forgotten first, so memory stays bounded whatever callers send.
	MaxKeys int
	Now     func() time.Time
}

// LoginLimiter limits sign-in attempts per username and per client address
// with token buckets.
type LoginLimiter struct {
	users, ips *keyedLimiter
	now        func() time.Time
}

// NewLoginLimiter returns a limiter with cfg's settings.
func NewLoginLimiter(cfg LimiterConfig) *LoginLimiter {
	if cfg.PerUser == 0 {
		cfg.PerUser, cfg.UserBurst = rate.Every(12*time.Second), max(cfg.UserBurst, 5)
	}
	if cfg.PerIP == 0 {
		cfg.PerIP, cfg.IPBurst = rate.Every(3*time.Second), max(cfg.IPBurst, 20)
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 10_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &LoginLimiter{
		users: newKeyedLimiter(cfg.PerUser, max(cfg.UserBurst, 1), cfg.MaxKeys),
		ips:   newKeyedLimiter(cfg.PerIP, max(cfg.IPBurst, 1), cfg.MaxKeys),
		now:   cfg.Now,
	}
}

// Allow takes one attempt from the address's bucket and the username's.
// When either is empty it returns false and how long to wait.
func (l *LoginLimiter) Allow(username, ip string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	if ok, d := l.ips.allow(ip, now); !ok {
		return false, d
	}
	return l.users.allow(username, now)
}

// Len reports how many usernames and addresses are remembered.
func (l *LoginLimiter) Len() (users, ips int) { return l.users.len(), l.ips.len() }

// keyedLimiter is a bounded LRU of token buckets.
type keyedLimiter struct {
	limit rate.Limit
	burst int
	max   int

	mu    sync.Mutex
	order *list.List // of *keyedEntry, most recently used first
	byKey map[string]*list.Element
}

type keyedEntry struct {
	key string
	lim *rate.Limiter
}

func newKeyedLimiter(limit rate.Limit, burst, maxKeys int) *keyedLimiter {
	return &keyedLimiter{limit: limit, burst: burst, max: maxKeys, order: list.New(), byKey: map[string]*list.Element{}}
}

func (k *keyedLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var lim *rate.Limiter
	if el, ok := k.byKey[key]; ok {
		k.order.MoveToFront(el)
		lim = el.Value.(*keyedEntry).lim
	} else {
		lim = rate.NewLimiter(k.limit, k.burst)
		k.byKey[key] = k.order.PushFront(&keyedEntry{key: key, lim: lim})
		for k.order.Len() > k.max {
			oldest := k.order.Back()
			k.order.Remove(oldest)
			delete(k.byKey, oldest.Value.(*keyedEntry).key)
		}
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (k *keyedLimiter) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.order.Len()
}
