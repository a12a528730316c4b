package auth

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestLoginLimiter(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	l := NewLoginLimiter(LimiterConfig{Now: c.now})

	t.Run("per username, from any address", func(t *testing.T) {
		for i := range 5 {
			if ok, _ := l.Allow("ana", fmt.Sprintf("10.0.0.%d", i)); !ok {
				t.Fatalf("attempt %d refused within the burst", i+1)
			}
		}
		ok, wait := l.Allow("ana", "10.0.0.99")
		if ok || wait <= 0 || wait > 12*time.Second {
			t.Errorf("6th attempt at ana: ok=%v wait=%v; want refused for at most 12s", ok, wait)
		}
		if ok, _ := l.Allow("bo", "10.0.0.99"); !ok {
			t.Error("another username from the same address refused")
		}
		c.t = c.t.Add(12 * time.Second)
		if ok, _ := l.Allow("ana", "10.0.0.99"); !ok {
			t.Error("ana still refused after the refill interval")
		}
	})

	t.Run("per address, at any username", func(t *testing.T) {
		for i := range 20 {
			if ok, _ := l.Allow(fmt.Sprintf("user%d", i), "192.0.2.1"); !ok {
				t.Fatalf("attempt %d from one address refused within the burst", i+1)
			}
		}
		if ok, wait := l.Allow("fresh-user", "192.0.2.1"); ok || wait <= 0 {
			t.Errorf("21st attempt from one address: ok=%v wait=%v", ok, wait)
		}
		// The refused attempt did not spend fresh-user's bucket.
		for i := range 5 {
			if ok, _ := l.Allow("fresh-user", fmt.Sprintf("198.51.100.%d", i)); !ok {
				t.Fatalf("fresh-user attempt %d refused: a refusal by address spent the user's bucket", i+1)
			}
		}
	})

	t.Run("bounded memory", func(t *testing.T) {
		small := NewLoginLimiter(LimiterConfig{Now: c.now, MaxKeys: 100, PerIP: rate.Inf})
		for i := range 10_000 {
			small.Allow(fmt.Sprintf("u%d", i), fmt.Sprintf("ip%d", i))
		}
		if users, ips := small.Len(); users != 100 || ips != 100 {
			t.Errorf("remembered %d users and %d addresses; the bound is 100", users, ips)
		}
		// The most recently used key is kept: its bucket is still spent.
		for range 5 {
			small.Allow("hot", "ip")
		}
		for i := range 99 {
			small.Allow(fmt.Sprintf("v%d", i), "ip")
		}
		if ok, _ := small.Allow("hot", "ip"); ok {
			t.Error("a recently used key was evicted before older ones")
		}
	})
}
