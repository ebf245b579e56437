package slacktest

import (
	"strings"
	"unicode"
)

// User is a person (or bot) in the workspace; tests act through its methods.
type User struct {
	sim  *Sim
	ID   string
	Name string
}

type userData struct {
	id, name              string
	realName, displayName string
	email                 string
	admin, owner          bool
	restricted, ultra     bool // multi-channel guest, single-channel guest
	isBot                 bool
	botID                 string
	deleted               bool
	team                  string // another organisation's team id (External); "" for the workspace's
	emailShared           bool   // that organisation shows partners their email (SharesEmail)
}

// teamID is the id of the user's organisation: the workspace's (TeamID), or another's.
func (u *userData) teamID() string {
	if u.team != "" {
		return u.team
	}
	return TeamID
}

// UserOption sets a property of a user made by AddUser.
type UserOption func(*userData)

// Admin makes the user a workspace admin.
func Admin() UserOption { return func(u *userData) { u.admin = true } }

// Owner makes the user a workspace owner (and admin, as Slack reports owners).
func Owner() UserOption { return func(u *userData) { u.owner, u.admin = true, true } }

// MultiChannelGuest makes the user a multi-channel guest (is_restricted).
func MultiChannelGuest() UserOption { return func(u *userData) { u.restricted = true } }

// SingleChannelGuest makes the user a single-channel guest (is_restricted and
// is_ultra_restricted): they can be in one channel only.
func SingleChannelGuest() UserOption {
	return func(u *userData) { u.restricted, u.ultra = true, true }
}

// BotUser makes the user another app's bot user.
func BotUser() UserOption {
	return func(u *userData) { u.isBot, u.botID = true, "B"+strings.TrimPrefix(u.id, "U") }
}

// Deactivated makes the user a deactivated account (deleted).
func Deactivated() UserOption { return func(u *userData) { u.deleted = true } }

// RealName sets the user's real name (default: the name, capitalised).
func RealName(name string) UserOption { return func(u *userData) { u.realName = name } }

// DisplayName sets the user's display name (default: empty, as for most users).
func DisplayName(name string) UserOption { return func(u *userData) { u.displayName = name } }

// Email sets the user's email (default: name@example.com).
func Email(email string) UserOption { return func(u *userData) { u.email = email } }

// External makes the user a member of another organisation whose team id is team (a
// Slack Connect partner, "T…"): they can post only in channels shared with it
// (ShareChannel); their messages carry team, user_team and source_team as theirs
// (https://docs.slack.dev/apis/slack-connect; the fields as in slackapi/bolt-python's
// tests/scenario_tests/test_events_assistant.py); users.info gives their team_id and
// profile.team, is_stranger (false while they share a channel with the app), no locale,
// and, as Slack Connect shows partners by default only a name and a photo
// (https://slack.com/help/articles/4417558556691), no email unless SharesEmail.
func External(team string) UserOption { return func(u *userData) { u.team = team } }

// SharesEmail: the external user's organisation lets its partners see their email.
func SharesEmail() UserOption { return func(u *userData) { u.emailShared = true } }

// AddUser adds a user whose id is "U" followed by the upper-cased name's letters and
// digits (alice → UALICE).
func (s *Sim) AddUser(name string, opts ...UserOption) *User {
	s.t.Helper()
	id := "U" + strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, name)
	u := &userData{id: id, name: name, realName: capitalise(name), email: name + "@example.com"}
	for _, o := range opts {
		o(u)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.users[id]; dup || id == "U" {
		s.t.Fatalf("slacktest: AddUser(%q): id %s is taken or empty", name, id)
	}
	s.users[id] = u
	s.userOrder = append(s.userOrder, id)
	s.notify()
	return &User{sim: s, ID: id, Name: name}
}

// Bot is the app's bot user (UBOT), e.g. to make it a member of a channel.
func (s *Sim) Bot() *User { return &User{sim: s, ID: BotUserID, Name: BotName} }

// User returns the user with that name or id, or nil.
func (s *Sim) User(nameOrID string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.userOrder {
		u := s.users[id]
		if u.id == nameOrID || u.name == nameOrID {
			return &User{sim: s, ID: u.id, Name: u.name}
		}
	}
	return nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// userJSON is the user object of users.info and of interaction payloads' owners.
func (u *userData) json() obj {
	profile := obj{
		"real_name": u.realName, "real_name_normalized": u.realName,
		"display_name": u.displayName, "display_name_normalized": u.displayName,
		"email": u.email, "team": u.teamID(), "avatar_hash": "g" + strings.ToLower(u.id),
		"status_text": "", "status_emoji": "",
		"image_24": avatar(u, 24), "image_48": avatar(u, 48), "image_72": avatar(u, 72),
		"image_192": avatar(u, 192), "image_512": avatar(u, 512),
	}
	if u.team != "" && !u.emailShared {
		delete(profile, "email")
	}
	if u.isBot {
		profile["bot_id"] = u.botID
		profile["api_app_id"] = ""
		if u.id == BotUserID {
			profile["api_app_id"] = AppID
		}
	}
	return obj{
		"id": u.id, "team_id": u.teamID(), "name": u.name, "deleted": u.deleted,
		"color": "9f69e7", "real_name": u.realName,
		"tz": "Europe/Paris", "tz_label": "Central European Time", "tz_offset": 3600,
		"profile": profile, "is_admin": u.admin, "is_owner": u.owner,
		"is_primary_owner": false, "is_restricted": u.restricted,
		"is_ultra_restricted": u.ultra, "is_bot": u.isBot, "is_app_user": false,
		"updated": 1700000000, "is_email_confirmed": !u.isBot,
		"who_can_share_contact_card": "EVERYONE",
	}
}

func avatar(u *userData, size int) string {
	return "https://avatars.example.com/" + u.id + "_" + itoa(size) + ".png"
}

// ref is the short user object of interaction payloads.
func (u *userData) ref() obj {
	return obj{"id": u.id, "username": u.name, "name": u.name, "team_id": TeamID}
}
