package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds the statements a Store keeps prepared. Texts vary
// with a query's filters (kinds, services, a tenant's projects), so the set
// is open; a few hundred covers the hot reads of many tenants at once.
const maxCachedStmts = 256

// stmtCache keeps the read pool's prepared statements by SQL text. Parsing
// and planning a search statement was a tenth of a search's CPU, paid on
// every call; a cached *sql.Stmt is parsed once per pool connection
// (database/sql prepares it on each connection it meets, and it is safe
// for concurrent use). Least recently used statements leave when the cache
// is full.
//
// A statement whose plan reads a bound parameter (LIMIT ?: SQLite looks
// at its value while planning) is planned again whenever it is bound, cached
// or not: the hot reads write their limits into the text, or stop reading
// rows in Go.
type stmtCache struct {
	db  *sql.DB
	max int

	mu     sync.Mutex
	order  *list.List // of *cachedStmt, most recently used first
	byText map[string]*list.Element
	closed bool
}

type cachedStmt struct {
	text string
	stmt *sql.Stmt
	// users counts the calls between get and put: an evicted statement is
	// closed when the last of them is done, never under a call starting.
	users   int
	evicted bool
}

func newStmtCache(db *sql.DB, size int) *stmtCache {
	return &stmtCache{db: db, max: size, order: list.New(), byText: map[string]*list.Element{}}
}

// query runs text with args as a cached statement. When it cannot be
// prepared, the call runs unprepared and reports its own error.
func (c *stmtCache) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	e, err := c.get(ctx, text)
	if err != nil {
		return c.db.QueryContext(ctx, text, args...)
	}
	defer c.put(e)
	return e.stmt.QueryContext(ctx, args...)
}

// queryRow is query for one row. The rows of a statement's call hold it
// open, so the statement may be evicted before the row is scanned.
func (c *stmtCache) queryRow(ctx context.Context, text string, args ...any) *sql.Row {
	e, err := c.get(ctx, text)
	if err != nil {
		return c.db.QueryRowContext(ctx, text, args...)
	}
	defer c.put(e)
	return e.stmt.QueryRowContext(ctx, args...)
}

var errCacheClosed = errors.New("statement cache closed")

// get returns the statement of text, preparing it on a miss. Two calls
// missing the same text at once both prepare; the second keeps the first's.
func (c *stmtCache) get(ctx context.Context, text string) (*cachedStmt, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errCacheClosed
	}
	if el, ok := c.byText[text]; ok {
		e := c.useLocked(el)
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()

	stmt, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		stmt.Close()
		return nil, errCacheClosed
	}
	if el, ok := c.byText[text]; ok {
		stmt.Close()
		return c.useLocked(el), nil
	}
	e := &cachedStmt{text: text, stmt: stmt, users: 1}
	c.byText[text] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		c.evictLocked(c.order.Back())
	}
	return e, nil
}

// useLocked begins a call of a cached statement, now the most recently used.
func (c *stmtCache) useLocked(el *list.Element) *cachedStmt {
	c.order.MoveToFront(el)
	e := el.Value.(*cachedStmt)
	e.users++
	return e
}

// put ends a call that get began.
func (c *stmtCache) put(e *cachedStmt) {
	c.mu.Lock()
	e.users--
	done := e.evicted && e.users == 0
	c.mu.Unlock()
	if done {
		e.stmt.Close()
	}
}

func (c *stmtCache) evictLocked(el *list.Element) {
	e := c.order.Remove(el).(*cachedStmt)
	delete(c.byText, e.text)
	e.evicted = true
	if e.users == 0 {
		e.stmt.Close()
	}
}

// close closes every statement not in a call (those close when their call
// ends) and makes later calls run unprepared.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for c.order.Len() > 0 {
		c.evictLocked(c.order.Back())
	}
}

// len is the number of statements cached.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
