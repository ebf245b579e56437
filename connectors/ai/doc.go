// Package ai is an optional enricher (tickets.Enricher, named "ai") that asks a language
// model, through any OpenAI-compatible chat-completions endpoint (OpenAI, a gateway, or a
// local server such as Ollama), to suggest a ticket's details: its title, a short summary,
// the customer's sentiment, the urgency and a few tags. It asks when a ticket is opened
// and again when it is closed, and records what it gets with the suggest function the
// ticket service hands it (Service.Suggest for that ticket).
//
// It is off unless the operator configures an endpoint, a key and a model (AI_BASE_URL,
// AI_API_KEY and AI_MODEL; see Config and Connect); nothing is sent anywhere until then.
// Like a sink, it works through the outbox on its own ("sink:ai"), apart from Slack and
// the customer's side: a slow or failing model never holds up a chat, and a failed call
// is retried by the outbox.
//
// What leaves the install, and goes only to the configured endpoint: the chat's
// transcript (the customer's messages and the agents' answers, without the agents'
// names, without internal notes, Frontdesk's own notices or attachments' links), cut to
// its latest ~12 KB, and the summary the chat came with (the source's, or an agent's).
// No customer contact details are sent: no name, email, phone or other customer field.
//
// The request carries the model, the two messages and response_format json_object, and a
// temperature only when the operator sets one (AI_TEMPERATURE): OpenAI documents it as
// optional, and its reasoning models (the o-series, the GPT-5 family) refuse any value
// but their default. When the endpoint refuses a parameter the model does not support
// (400 unsupported_parameter or unsupported_value), the sink logs which one and what to
// change, and records that as the ticket's AI status (tickets.SyncStatus, which agents
// see with the ticket); it does not ask again for that event, and the next answer clears
// the status.
//
// An answer is checked strictly (the allowed values, the limits on titles, summaries and
// tags); one that breaks any rule is dropped whole and logged without its content. The
// suggestions are advice: a field an agent set is never replaced by a suggestion, however
// often the model is asked (that rule lives in the store, tickets.Store.UpdateDetails),
// and AI tags are kept apart from the agents' tags (Ticket.AITags).
package ai
