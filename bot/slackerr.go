package bot

import (
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// permanentSlackErrors are Slack error codes that the same call will get again however
// often it is repeated: the outbox sets such an effect aside instead of retrying it.
var permanentSlackErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true,
	"invalid_blocks": true, "msg_too_long": true, "no_text": true, "too_many_attachments": true,
	"message_not_found": true, "cant_update_message": true, "edit_window_closed": true,
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"missing_scope": true, "not_allowed_token_type": true, "restricted_action": true,
	"user_not_found": true, "user_is_restricted": true, "cant_invite_self": true,
	"invalid_name_specials": true, "invalid_name_maxlength": true, "invalid_name_required": true,
	"invalid_name_punctuation": true, "cant_archive_general": true, "too_long": true,
}

// classify turns a slack-go error into the outbox's terms: a RetryAfterError for a 429, a
// permanent error for codes that cannot succeed on a repeat, and the error unchanged (to be
// retried with backoff) for everything else: 5xx, timeouts, internal_error, ...
func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("slack %s: %w", method, err)
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &tickets.RetryAfterError{After: rl.RetryAfter, Err: err}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && permanentSlackErrors[se.Err] {
		return tickets.Permanent(err)
	}
	return err
}

// slackCode is the Slack error code of err ("name_taken"), or "" when err is not an
// ok:false answer from Slack.
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}
