package slacktest

// apps.connections.open (app-level token only): a one-shot Socket Mode URL.
func (s *Sim) appsConnectionsOpen(*call) (obj, string) {
	ticket := randHex(16)
	s.tickets[ticket] = false
	url := "ws://" + s.srv.Listener.Addr().String() + "/ws?ticket=" + ticket + "&app_id=" + AppID
	return obj{"url": url}, ""
}
