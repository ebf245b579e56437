package slacktest

// files.info: a file shared in a conversation the bot is in, with the channels,
// groups, ims and shares it can see; file_not_found for any other, as Slack hides
// them. File comments are gone from Slack: comments is always empty.
func (s *Sim) filesInfo(c *call) (obj, string) {
	f := s.files[c.str("file")]
	if f == nil || !s.botSees(f) {
		return nil, "file_not_found"
	}
	out := f.json()
	channels, groups, ims := []string{}, []string{}, []string{}
	public, private := obj{}, obj{}
	for _, sh := range f.shares {
		ch, code := s.botChannel(sh.channel)
		if code != "" {
			continue
		}
		info := obj{
			"reply_users": []string{}, "reply_users_count": 0, "reply_count": 0,
			"ts": sh.ts, "team_id": TeamID, "share_user_id": f.User, "source": "UNKNOWN",
		}
		if m := ch.byTS[sh.ts]; m != nil {
			if m.isReply() {
				info["thread_ts"] = m.threadTS
			}
			info["reply_count"] = len(m.replies)
		}
		where := private
		switch {
		case ch.im:
			ims = append(ims, ch.id)
		case ch.private:
			groups = append(groups, ch.id)
			info["channel_name"] = ch.name
		default:
			channels = append(channels, ch.id)
			info["channel_name"] = ch.name
			where = public
		}
		list, _ := where[ch.id].([]obj)
		where[ch.id] = append(list, info)
	}
	shares := obj{}
	if len(public) > 0 {
		shares["public"] = public
	}
	if len(private) > 0 {
		shares["private"] = private
	}
	out["channels"], out["groups"], out["ims"], out["shares"] = channels, groups, ims, shares
	out["comments_count"] = 0
	return obj{"file": out, "comments": []obj{}, "response_metadata": obj{"next_cursor": ""}}, ""
}
