package store

import (
	"errors"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// The outbox is routed when it is written: each consumer group has a stream of its own
// per partition, STREAM P{N}:outbox:<group>, and a script that changes a ticket appends
// each event it tells of to the streams of the groups that want its route
// (tickets.Routes), in the same atomic step. A group therefore reads, acknowledges and
// decodes only what it acts on, and adding a group costs nothing for the events it does
// not want.
//
// One event has one id in every stream it goes to, so that it has one tickets.Event.ID
// (the idempotency key of its side effects) whichever group carries it out. The ids come
// from P{N}:outbox-seq, the last id given in the partition, so they keep growing in every
// stream of the partition whichever streams each event goes to.

// emitLua defines emit(seq, groups, ...), the one way a script tells the outbox: it
// appends an entry with the fields ... (name, value pairs; see event.go) to the stream of
// each group in groups (their names, comma-separated; none for ""), all under one new id,
// and returns the id. seq is the partition's P{N}:outbox-seq; the streams are the keys
// that share its P{N}: tag. An event no group wants still gets an id, and is appended
// nowhere.
//
// The id is Redis's clock in ms and a sequence number, above the last one given and above
// the last entry of each stream it goes to (the last id each stream gave, when the last
// one given is lost), so that no XADD can fail after the script has changed the ticket.
// While the single stream earlier versions wrote is there (an upgrade), the id is also
// above the last id that stream gave, and that stream's last id is then set to it
// (XSETID): the ids the earlier replicas still get there stay above, and no two events
// share an id.
const emitLua = `
local function emit(seq, groups, ...)
	local t = redis.call('TIME')
	local ms, n = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), 0
	local tag = string.sub(seq, 1, #seq - 10) -- less 'outbox-seq'
	-- above last: an id the partition gave, or one a stream gave
	local function above(last)
		local lms, ln = string.match(tostring(last), '^(%d+)-(%d+)$')
		lms, ln = tonumber(lms), tonumber(ln)
		if not lms or not ln then
			return
		end
		if lms > ms or lms == ms and ln >= n then
			ms, n = lms, ln + 1
		end
	end
	local function last_generated(stream)
		local info = redis.call('XINFO', 'STREAM', stream)
		for i = 1, #info, 2 do
			if info[i] == 'last-generated-id' then
				return info[i + 1]
			end
		end
		local top = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
		if #top > 0 then
			return top[1][1]
		end
		return '0-0'
	end
	local last = redis.call('GET', seq)
	if last then
		above(last)
	end
	-- While the single stream of earlier versions is there (an upgrade), its replicas may
	-- still append to it: ids stay above its own, and its own above ours (XSETID below).
	local legacy = tag .. 'outbox'
	local upgrading = redis.call('EXISTS', legacy) == 1
	if upgrading then
		above(last_generated(legacy))
	end
	local streams = {}
	for g in string.gmatch(groups, '[^,]+') do
		streams[#streams + 1] = tag .. 'outbox:' .. g
	end
	-- Only emit appends to these streams, so the last id given is above their last
	-- entries; but should anything else have moved one, or the last id given be lost, the
	-- XADDs below must not fail half done. With the last id given and one stream (most
	-- events: a message goes to one group), XADD itself says whether the stream moved, and
	-- changes nothing when it did: the id is then taken above it.
	local one = last and #streams == 1 and not upgrading
	if not one then
		for _, s in ipairs(streams) do
			if not last then
				if redis.call('EXISTS', s) == 1 then
					above(last_generated(s))
				end
			else
				local top = redis.call('XREVRANGE', s, '+', '-', 'COUNT', 1)
				if #top > 0 then
					above(top[1][1])
				end
			end
		end
	end
	local id = string.format('%.0f-%.0f', ms, n)
	if one then
		local added = redis.pcall('XADD', streams[1], id, ...)
		if type(added) == 'table' and added.err then
			above(last_generated(streams[1]))
			id = string.format('%.0f-%.0f', ms, n)
			redis.call('XADD', streams[1], id, ...)
		end
		redis.call('SET', seq, id)
		return id
	end
	redis.call('SET', seq, id)
	if upgrading then
		redis.call('XSETID', legacy, id)
	end
	for _, s in ipairs(streams) do
		redis.call('XADD', s, id, ...)
	end
	return id
end

-- as_written adds to fields (an entry's name, value pairs) what relaying a message needs
-- of the ticket as it is now (written_fields, read unless h has them, unchanged since;
-- tickets.Ticket.ForRelay is the same part):
-- each of those fields of its HASH ticket as h:<field>, and its current card (from the
-- HASH cards) as card (see event.go), so that the handlers need not read it again. The rest of the ticket (its
-- request's texts, up to 64 KiB, its details, its times) would cost every message's
-- entry many times its own size and is never read from it.
local written_fields = {'id', 'number', 'source', 'conv', 'customer', 'status', 'inbox', 'card_event'}
-- written_of reads those fields of HASH ticket, as as_written takes them (h), and
-- field_of(h, name) is one of them, so that a script that needs some of them anyway reads
-- them once.
local function written_of(ticket)
	return redis.call('HMGET', ticket, unpack(written_fields))
end
local function field_of(h, name)
	for i, n in ipairs(written_fields) do
		if n == name then
			return h[i]
		end
	end
end
local function as_written(fields, ticket, cards, h)
	h = h or written_of(ticket)
	for i, name in ipairs(written_fields) do
		local v = h[i]
		if v then
			fields[#fields + 1], fields[#fields + 2] = 'h:' .. name, v
			if name == 'card_event' then
				local card = redis.call('HGET', cards, v)
				if card then
					fields[#fields + 1], fields[#fields + 2] = 'card', card
				end
			end
		end
	end
	return fields
end
`

// errNoRoutes: an event was to be written before SetRoutes said where events go.
var errNoRoutes = errors.New("store: no outbox routes set (SetRoutes)")

// routing is what SetRoutes set: the groups of each route, as emit takes them.
type routing struct {
	groups map[tickets.Route]string // comma-separated
	table  string                   // "<route>=<groups>" lines, for fireScript
}

// SetRoutes sets which consumer groups' streams each event goes to (tickets.Service's
// Routes). Until it is called, every change that tells the outbox fails with an error and
// changes nothing. A route routes lists no group for goes nowhere.
func (r *Redis) SetRoutes(routes tickets.Routes) {
	rt := &routing{groups: make(map[tickets.Route]string, len(routes))}
	var table strings.Builder
	for route, groups := range routes {
		g := strings.Join(groups, ",")
		rt.groups[route] = g
		table.WriteString(string(route) + "=" + g + "\n")
	}
	rt.table = table.String()
	r.routes.Store(rt)
}

// groupsOf are the groups that want ev, as emit takes them.
func (r *Redis) groupsOf(ev tickets.Event) (string, error) {
	rt := r.routes.Load()
	if rt == nil {
		return "", errNoRoutes
	}
	return rt.groups[tickets.RouteOf(ev)], nil
}

// event is ev as an outbox entry's "e" field, and the groups that want it, as emit takes
// them.
func (r *Redis) event(ev tickets.Event) (e, groups string, err error) {
	if groups, err = r.groupsOf(ev); err != nil {
		return "", "", err
	}
	e, err = marshal(ev)
	return e, groups, err
}

// routeTable is the routes as fireScript takes them.
func (r *Redis) routeTable() (string, error) {
	rt := r.routes.Load()
	if rt == nil {
		return "", errNoRoutes
	}
	return rt.table, nil
}
