package bot

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// userTTL is how long what users.info said about someone is trusted.
const userTTL = 10 * time.Minute

// users caches users.info answers: names for agents, roles for the admin check, who
// wrote in a customer channel (the least recently asked forgotten past maxRemembered).
type users struct {
	api *slack.Client
	m   *lru.Cache[string, cachedUser]
}

type cachedUser struct {
	u   *slack.User
	exp time.Time
}

func newUsers(api *slack.Client) *users {
	return &users{api: api, m: newMemo[cachedUser]()}
}

func (us *users) get(ctx context.Context, id string) (*slack.User, error) {
	if c, ok := us.m.Get(id); ok && time.Now().Before(c.exp) {
		return c.u, nil
	}
	u, err := us.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return nil, err
	}
	us.m.Add(id, cachedUser{u: u, exp: time.Now().Add(userTTL)})
	return u, nil
}

// agent is the Agent for Slack user id, named as Slack shows them. When Slack cannot say,
// the agent goes by id alone: a name is nice to have, never worth failing a pick over.
func (us *users) agent(ctx context.Context, id string) tickets.Agent {
	a := tickets.Agent{ID: tickets.AgentID(id)}
	if u, err := us.get(ctx, id); err == nil {
		a.Name, a.Email = displayName(u), u.Profile.Email
	}
	return a
}

// agentSoon is agent, waiting at most lookupWait for Slack: a relayed message is
// acknowledged only once stored, so a slow users.info must not hold it (the message then
// goes by the agent's id; the name is shown next time).
func (us *users) agentSoon(ctx context.Context, id string) tickets.Agent {
	ctx, cancel := context.WithTimeout(ctx, lookupWait)
	defer cancel()
	return us.agent(ctx, id)
}

// lookupWait bounds agentSoon's wait for Slack.
const lookupWait = 300 * time.Millisecond

func displayName(u *slack.User) string {
	for _, s := range []string{u.Profile.DisplayName, u.RealName, u.Profile.RealName, u.Name} {
		if s != "" {
			return s
		}
	}
	return u.ID
}
