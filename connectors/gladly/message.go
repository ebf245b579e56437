package gladly

import (
	"fmt"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// maxFieldBytes is the longest customer field the tickets domain takes.
const maxFieldBytes = 2000

// messageOf is a customer's conversation item as a ticket message. The text is the
// item's text (see itemContent); an email's subject comes first. A custom channel's files
// come at the public URLs they came with. Files Gladly keeps come at links[i]
// (Frontdesk's links, see Deps.Files) when there is one, and are otherwise named after
// the text: their content is behind Gladly's API credentials, so agents open them in
// Gladly. Either kind of link opens without credentials, so the desk shares the file
// in Slack as a Slack file (tickets.Attachment.Upload). An item with neither text nor files says so, so that no message goes unseen.
func messageOf(it *item, itemID string, links []string) tickets.Message {
	c := it.Content
	text := c.Text
	if c.Type == emailType && strings.TrimSpace(c.Subject) != "" {
		text = "Subject: " + strings.TrimSpace(c.Subject) + "\n\n" + text
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(text))
	var atts []tickets.Attachment
	for i, a := range c.Attachments {
		if i < len(links) && links[i] != "" && len(atts) < tickets.MaxAttachments {
			atts = append(atts, tickets.Attachment{URL: links[i], Name: clipField(attachmentName(a)),
				MIME: clipField(a.ContentType), Size: max(a.FileSize, 0), Upload: true})
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("[" + fileLabel(a) + ": open the conversation in Gladly to see it]")
	}
	for _, f := range c.Files {
		if len(atts) == tickets.MaxAttachments {
			break
		}
		atts = append(atts, tickets.Attachment{URL: f.URL, Name: clipField(f.Name), Upload: true})
	}
	text = b.String()
	if text == "" && len(atts) == 0 {
		kind := c.Type
		if kind == "" {
			kind = "message"
		}
		text = fmt.Sprintf("[a %s without text: open the conversation in Gladly to see it]", kind)
	}
	return tickets.Message{
		Direction:       tickets.FromCustomer,
		Text:            tickets.Clip(text, tickets.MaxTextBytes),
		Attachments:     atts,
		SourceMessageID: itemID,
		At:              it.at(),
	}
}

// attachmentName is a Gladly attachment's file name, or a neutral one.
func attachmentName(a itemAttachment) string {
	if strings.TrimSpace(a.Filename) != "" {
		return a.Filename
	}
	return "file"
}

// fileLabel names a Gladly attachment for people: its file name and content type.
func fileLabel(a itemAttachment) string {
	name := a.Filename
	if name == "" {
		name = "a file"
	}
	if a.ContentType != "" {
		name += " (" + a.ContentType + ")"
	}
	return name
}

// customerOf is a Gladly profile as a ticket's customer: its name, first email and first
// phone, and the customer's id in the organisation's own systems when the profile has
// one.
func customerOf(id string, p *profile) tickets.Customer {
	c := tickets.Customer{ID: id, Name: clipField(p.Name)}
	for _, e := range p.Emails {
		if e.Original != "" {
			c.Email = clipField(e.Original)
			break
		}
	}
	for _, ph := range p.Phones {
		if ph.Original != "" {
			c.Phone = clipField(ph.Original)
			break
		}
	}
	if p.ExternalCustomerID != "" {
		c.Fields = map[string]string{"external id": clipField(p.ExternalCustomerID)}
	}
	return c
}

func clipField(s string) string { return tickets.Clip(strings.TrimSpace(s), maxFieldBytes) }
