PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version VALUES('0012');
INSERT INTO alembic_version VALUES('0011');
INSERT INTO alembic_version VALUES('0010');
INSERT INTO alembic_version VALUES('0009');
INSERT INTO alembic_version VALUES('0008');
INSERT INTO alembic_version VALUES('0007');
INSERT INTO alembic_version VALUES('0006');
INSERT INTO alembic_version VALUES('0005');
INSERT INTO alembic_version VALUES('0004');
INSERT INTO alembic_version VALUES('0003');
CREATE TABLE clients (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_clients PRIMARY KEY (id), 
	CONSTRAINT uq_clients_code UNIQUE (code), 
	CONSTRAINT uq_clients_name UNIQUE (name)
);
INSERT INTO clients VALUES(1,'Acme Corp','ACME','2026-12-03 06:41:22.896385');
INSERT INTO clients VALUES(2,'Globex Logistics','GLOBEX','2026-12-03 06:41:23.123585');
CREATE TABLE contacts (
	id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	handle VARCHAR(100) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	email VARCHAR(320), 
	lang VARCHAR(8), 
	timezone VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_contacts PRIMARY KEY (id), 
	CONSTRAINT fk_contacts_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT uq_contacts_client_id_handle UNIQUE (client_id, handle)
);
INSERT INTO contacts VALUES(1,1,'alice','Alice Martin','alice@acme.example','en',NULL,'2026-12-03 06:41:23.048087');
INSERT INTO contacts VALUES(2,1,'wang','王伟','wang@acme.example','zh','Asia/Shanghai','2026-12-03 06:41:23.052771');
INSERT INTO contacts VALUES(3,2,'li','李娜','li@globex.example','zh',NULL,'2026-12-03 06:41:23.171608');
CREATE TABLE projects (
	id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	delivered_on DATE NOT NULL, 
	accepted_on DATE, 
	warranty_until DATE, 
	sla_tier VARCHAR(32) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_projects PRIMARY KEY (id), 
	CONSTRAINT fk_projects_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT uq_projects_client_id_name UNIQUE (client_id, name)
);
INSERT INTO projects VALUES(1,1,'Acme Portal','2026-11-13',NULL,'2027-11-13','gold','Europe/Berlin','2026-12-03 06:41:22.905563');
INSERT INTO projects VALUES(2,2,'Warehouse App','2025-12-23','2026-01-06','2026-12-23','silver','Asia/Shanghai','2026-12-03 06:41:23.127099');
CREATE TABLE channel_identities (
	id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	workspace_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(128) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_channel_identities PRIMARY KEY (id), 
	CONSTRAINT fk_channel_identities_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_channel_identities_channel_workspace_id_user_id UNIQUE (channel, workspace_id, user_id)
);
INSERT INTO channel_identities VALUES(1,1,'console','','alice','2026-12-03 06:41:23.057654');
INSERT INTO channel_identities VALUES(2,2,'console','','wang','2026-12-03 06:41:23.062025');
INSERT INTO channel_identities VALUES(3,3,'console','','li','2026-12-03 06:41:23.175592');
CREATE TABLE conversations (
	id INTEGER NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	workspace_id VARCHAR(64) NOT NULL, 
	chat_id VARCHAR(128) NOT NULL, 
	thread_id VARCHAR(128) NOT NULL, 
	client_id INTEGER, 
	contact_id INTEGER, 
	flow JSON, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_conversations PRIMARY KEY (id), 
	CONSTRAINT fk_conversations_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE SET NULL, 
	CONSTRAINT fk_conversations_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT uq_conversations_channel_workspace_id_chat_id_thread_id UNIQUE (channel, workspace_id, chat_id, thread_id)
);
INSERT INTO conversations VALUES(1,'console','','console:alice','',1,1,'null','2026-12-03 06:41:24.510956','2026-12-03 06:41:24.834232');
CREATE TABLE messages (
	id INTEGER NOT NULL, 
	conversation_id INTEGER NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	platform_message_id VARCHAR(128), 
	sender_id VARCHAR(128) NOT NULL, 
	sender_name VARCHAR(200) NOT NULL, 
	contact_id INTEGER, 
	text TEXT NOT NULL, 
	payload JSON, 
	state VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, inbound_id BIGINT, 
	CONSTRAINT pk_messages PRIMARY KEY (id), 
	CONSTRAINT fk_messages_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT fk_messages_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE, 
	CONSTRAINT uq_messages_channel_platform_message_id UNIQUE (channel, platform_message_id)
);
INSERT INTO messages VALUES(1,1,'in','console',NULL,'alice','Alice Martin',1,'/ticket The export button does nothing','null','handled','2026-12-03 06:41:24.510956',NULL);
INSERT INTO messages VALUES(2,1,'out','console',NULL,'aftercare','Aftercare',NULL,'Thanks. Now describe it: what did you do, what happened, what did you expect?','{"text": "Thanks. Now describe it: what did you do, what happened, what did you expect?", "buttons": [{"label": "Cancel", "payload": "ticket:cx"}], "citations": [], "thread_id": null, "kind": "ticket_form", "meta": {}}','handled','2026-12-03 06:41:24.530699',NULL);
INSERT INTO messages VALUES(3,1,'in','console',NULL,'alice','Alice Martin',1,'Clicking Export in reports shows nothing at all','null','handled','2026-12-03 06:41:24.611378',NULL);
INSERT INTO messages VALUES(4,1,'out','console',NULL,'aftercare','Aftercare',NULL,replace('How severe is it?\nP1 Critical: production is down or data is being lost, no workaround\nP2 High: a major feature is broken and the workaround is painful\nP3 Normal: something is wrong but there is a workaround\nP4 Low: a question, a cosmetic issue or a small change request','\n',char(10)),'{"text": "How severe is it?\nP1 Critical: production is down or data is being lost, no workaround\nP2 High: a major feature is broken and the workaround is painful\nP3 Normal: something is wrong but there is a workaround\nP4 Low: a question, a cosmetic issue or a small change request", "buttons": [{"label": "P1 Critical", "payload": "ticket:sev:P1"}, {"label": "P2 High", "payload": "ticket:sev:P2"}, {"label": "P3 Normal", "payload": "ticket:sev:P3"}, {"label": "P4 Low", "payload": "ticket:sev:P4"}, {"label": "Cancel", "payload": "ticket:cx"}], "citations": [], "thread_id": null, "kind": "ticket_severity", "meta": {}}','handled','2026-12-03 06:41:24.625281',NULL);
INSERT INTO messages VALUES(5,1,'in','console',NULL,'alice','Alice Martin',1,'P2 High','{"button": "ticket:sev:P2"}','handled','2026-12-03 06:41:24.635481',NULL);
INSERT INTO messages VALUES(6,1,'out','console',NULL,'aftercare','Aftercare',NULL,replace('Ticket ACME-1 is open: The export button does nothing\nSeverity P2, project Acme Portal.\nFirst response due by 2026-12-03 10:00, resolution target 2026-12-03 17:00 (Europe/Berlin).\nYou''ll get updates here. /status ACME-1 shows it any time.','\n',char(10)),'{"text": "Ticket ACME-1 is open: The export button does nothing\nSeverity P2, project Acme Portal.\nFirst response due by 2026-12-03 10:00, resolution target 2026-12-03 17:00 (Europe/Berlin).\nYou''ll get updates here. /status ACME-1 shows it any time.", "buttons": [{"label": "Add a comment", "payload": "ticket:cm:1"}], "citations": [], "thread_id": null, "kind": "ticket_created", "meta": {"ticket": "ACME-1"}}','handled','2026-12-03 06:41:24.657006',NULL);
INSERT INTO messages VALUES(7,1,'in','console',NULL,'alice','Alice Martin',1,'Add a comment','{"button": "ticket:cm:1"}','handled','2026-12-03 06:41:24.666797',NULL);
INSERT INTO messages VALUES(8,1,'out','console',NULL,'aftercare','Aftercare',NULL,'Type your comment for ACME-1 (/cancel to stop).','{"text": "Type your comment for ACME-1 (/cancel to stop).", "buttons": [], "citations": [], "thread_id": null, "kind": "ticket_form", "meta": {}}','handled','2026-12-03 06:41:24.680448',NULL);
INSERT INTO messages VALUES(9,1,'in','console',NULL,'alice','Alice Martin',1,'/ticket Login page is slow','null','handled','2026-12-03 06:41:24.690020',NULL);
INSERT INTO messages VALUES(10,1,'out','console',NULL,'aftercare','Aftercare',NULL,'Thanks. Now describe it: what did you do, what happened, what did you expect?','{"text": "Thanks. Now describe it: what did you do, what happened, what did you expect?", "buttons": [{"label": "Cancel", "payload": "ticket:cx"}], "citations": [], "thread_id": null, "kind": "ticket_form", "meta": {}}','handled','2026-12-03 06:41:24.698754',NULL);
INSERT INTO messages VALUES(11,1,'in','console',NULL,'alice','Alice Martin',1,'Login takes 20 seconds every morning','null','handled','2026-12-03 06:41:24.708380',NULL);
INSERT INTO messages VALUES(12,1,'out','console',NULL,'aftercare','Aftercare',NULL,replace('How severe is it?\nP1 Critical: production is down or data is being lost, no workaround\nP2 High: a major feature is broken and the workaround is painful\nP3 Normal: something is wrong but there is a workaround\nP4 Low: a question, a cosmetic issue or a small change request','\n',char(10)),'{"text": "How severe is it?\nP1 Critical: production is down or data is being lost, no workaround\nP2 High: a major feature is broken and the workaround is painful\nP3 Normal: something is wrong but there is a workaround\nP4 Low: a question, a cosmetic issue or a small change request", "buttons": [{"label": "P1 Critical", "payload": "ticket:sev:P1"}, {"label": "P2 High", "payload": "ticket:sev:P2"}, {"label": "P3 Normal", "payload": "ticket:sev:P3"}, {"label": "P4 Low", "payload": "ticket:sev:P4"}, {"label": "Cancel", "payload": "ticket:cx"}], "citations": [], "thread_id": null, "kind": "ticket_severity", "meta": {}}','handled','2026-12-03 06:41:24.718912',NULL);
INSERT INTO messages VALUES(13,1,'in','console',NULL,'alice','Alice Martin',1,'P3 Normal','{"button": "ticket:sev:P3"}','handled','2026-12-03 06:41:24.728913',NULL);
INSERT INTO messages VALUES(14,1,'out','console',NULL,'aftercare','Aftercare',NULL,replace('Ticket ACME-2 is open: Login page is slow\nSeverity P3, project Acme Portal.\nFirst response due by 2026-12-03 13:00, resolution target 2026-12-07 18:00 (Europe/Berlin).\nYou''ll get updates here. /status ACME-2 shows it any time.','\n',char(10)),'{"text": "Ticket ACME-2 is open: Login page is slow\nSeverity P3, project Acme Portal.\nFirst response due by 2026-12-03 13:00, resolution target 2026-12-07 18:00 (Europe/Berlin).\nYou''ll get updates here. /status ACME-2 shows it any time.", "buttons": [{"label": "Add a comment", "payload": "ticket:cm:2"}], "citations": [], "thread_id": null, "kind": "ticket_created", "meta": {"ticket": "ACME-2"}}','handled','2026-12-03 06:41:24.745575',NULL);
INSERT INTO messages VALUES(15,1,'in','console',NULL,'alice','Alice Martin',1,'Add a comment','{"button": "ticket:cm:2"}','handled','2026-12-03 06:41:24.754441',NULL);
INSERT INTO messages VALUES(16,1,'out','console',NULL,'aftercare','Aftercare',NULL,'Type your comment for ACME-2 (/cancel to stop).','{"text": "Type your comment for ACME-2 (/cancel to stop).", "buttons": [], "citations": [], "thread_id": null, "kind": "ticket_form", "meta": {}}','handled','2026-12-03 06:41:24.764350',NULL);
INSERT INTO messages VALUES(17,1,'in','console',NULL,'alice','Alice Martin',1,'/suggest Add a dark mode to the dashboard','null','handled','2026-12-03 06:41:24.772462',NULL);
INSERT INTO messages VALUES(18,1,'out','console',NULL,'aftercare','Aftercare',NULL,'Thank you for the suggestion! I''ve passed it on to the Acme Portal team.','{"text": "Thank you for the suggestion! I''ve passed it on to the Acme Portal team.", "buttons": [], "citations": [], "thread_id": null, "kind": "suggestion", "meta": {}}','handled','2026-12-03 06:41:24.782600',NULL);
INSERT INTO messages VALUES(19,1,'in','console',NULL,'alice','Alice Martin',1,'/human','null','handled','2026-12-03 06:41:24.792410',NULL);
INSERT INTO messages VALUES(20,1,'out','console',NULL,'aftercare','Aftercare',NULL,'I''ve asked a person from the team to join. The team is away now and back at 2026-12-03 09:00 (Europe/Berlin); they''ll answer here by 2026-12-03 10:00. Your messages go to them; type /bot to come back to me.','{"text": "I''ve asked a person from the team to join. The team is away now and back at 2026-12-03 09:00 (Europe/Berlin); they''ll answer here by 2026-12-03 10:00. Your messages go to them; type /bot to come back to me.", "buttons": [], "citations": [], "thread_id": null, "kind": "handoff_escalated", "meta": {"state": "waiting_for_human"}}','handled','2026-12-03 06:41:24.824550',NULL);
INSERT INTO messages VALUES(21,1,'in','console',NULL,'alice','Alice Martin',1,'I need to talk to someone about the invoice','null','handled','2026-12-03 06:41:24.834232',NULL);
INSERT INTO messages VALUES(22,1,'out','console',NULL,'aftercare','Aftercare',NULL,'A person has already been asked and will answer here soon.','{"text": "A person has already been asked and will answer here soon.", "buttons": [], "citations": [], "thread_id": null, "kind": "handoff_state", "meta": {}}','handled','2026-12-03 06:41:24.848666',NULL);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	workspace_id VARCHAR(64) NOT NULL, 
	chat_id VARCHAR(128) NOT NULL, 
	thread_id VARCHAR(128) NOT NULL, 
	conversation_id INTEGER, 
	reply JSON NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	idempotency_key VARCHAR(200), 
	available_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, locked_by VARCHAR(64), locked_until DATETIME, 
	CONSTRAINT pk_outbox PRIMARY KEY (id), 
	CONSTRAINT fk_outbox_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE SET NULL, 
	CONSTRAINT uq_outbox_idempotency_key UNIQUE (idempotency_key)
);
INSERT INTO outbox VALUES(1,'console','','console:li','',NULL,'{"text": "\u60a8\u6709\u591a\u5927\u53ef\u80fd\u5411\u670b\u53cb\u6216\u540c\u4e8b\u63a8\u8350\u6211\u4eec\u5728\u300cWarehouse App\u300d\u9879\u76ee\u4e0a\u7684\u670d\u52a1\uff1f\n0 = \u5b8c\u5168\u4e0d\u53ef\u80fd\uff0c10 = \u975e\u5e38\u53ef\u80fd\u3002", "buttons": [{"label": "0", "payload": "survey:v:1:0"}, {"label": "1", "payload": "survey:v:1:1"}, {"label": "2", "payload": "survey:v:1:2"}, {"label": "3", "payload": "survey:v:1:3"}, {"label": "4", "payload": "survey:v:1:4"}, {"label": "5", "payload": "survey:v:1:5"}, {"label": "6", "payload": "survey:v:1:6"}, {"label": "7", "payload": "survey:v:1:7"}, {"label": "8", "payload": "survey:v:1:8"}, {"label": "9", "payload": "survey:v:1:9"}, {"label": "10", "payload": "survey:v:1:10"}], "citations": [], "thread_id": null, "kind": "survey_question", "meta": {"survey": "1", "one_vote": "true"}}','pending',0,NULL,'nps:project:2:round:0:contact:3:ask','2026-12-03 06:41:24.540014','2026-12-03 06:41:24.558118',NULL,NULL,NULL);
CREATE TABLE kb_indexes (
	id INTEGER NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	format_version INTEGER NOT NULL, 
	manifest JSON NOT NULL, 
	archive BLOB NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	content_sha256 VARCHAR(64) NOT NULL, 
	size BIGINT NOT NULL, 
	built_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_kb_indexes PRIMARY KEY (id)
);
CREATE TABLE inbound_events (
	id INTEGER NOT NULL, 
	channel VARCHAR(32) NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	chat_key VARCHAR(200) NOT NULL, 
	body JSON, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	available_at DATETIME NOT NULL, 
	locked_by VARCHAR(64), 
	locked_until DATETIME, 
	received_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	CONSTRAINT pk_inbound_events PRIMARY KEY (id), 
	CONSTRAINT uq_inbound_events_key UNIQUE ("key")
);
CREATE TABLE training_sessions (
	id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	starts_at DATETIME NOT NULL, 
	minutes INTEGER NOT NULL, 
	link VARCHAR(500), 
	address VARCHAR(500), 
	state VARCHAR(16) NOT NULL, 
	materials JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_training_sessions PRIMARY KEY (id), 
	CONSTRAINT fk_training_sessions_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
INSERT INTO training_sessions VALUES(1,1,'basic','Acme Portal basics','2026-12-10 09:00:00.000000',90,'https://meet.example/acme-portal-basics',NULL,'scheduled','{"links": []}','2026-12-03 06:41:23.063529','2026-12-03 06:41:23.063529');
CREATE TABLE training_attendees (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	registered_at DATETIME, 
	attended BOOLEAN, 
	rating INTEGER, 
	rated_at DATETIME, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_training_attendees PRIMARY KEY (id), 
	CONSTRAINT fk_training_attendees_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE, 
	CONSTRAINT fk_training_attendees_session_id_training_sessions FOREIGN KEY(session_id) REFERENCES training_sessions (id) ON DELETE CASCADE, 
	CONSTRAINT uq_training_attendees_session_id_contact_id UNIQUE (session_id, contact_id)
);
CREATE TABLE announcements (
	id INTEGER NOT NULL, 
	scope VARCHAR(16) NOT NULL, 
	client_id INTEGER, 
	project_id INTEGER, 
	kind VARCHAR(16) NOT NULL, 
	text TEXT NOT NULL, 
	send_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_announcements PRIMARY KEY (id), 
	CONSTRAINT fk_announcements_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_announcements_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE TABLE announcement_deliveries (
	id INTEGER NOT NULL, 
	announcement_id INTEGER NOT NULL, 
	contact_id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	outbox_key VARCHAR(200) NOT NULL, 
	queued_at DATETIME NOT NULL, 
	acknowledged_at DATETIME, 
	CONSTRAINT pk_announcement_deliveries PRIMARY KEY (id), 
	CONSTRAINT fk_announcement_deliveries_announcement_id_announcements FOREIGN KEY(announcement_id) REFERENCES announcements (id) ON DELETE CASCADE, 
	CONSTRAINT fk_announcement_deliveries_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_announcement_deliveries_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_announcement_deliveries_announcement_id_contact_id UNIQUE (announcement_id, contact_id)
);
CREATE TABLE followup_policies (
	project_id INTEGER NOT NULL, 
	checkin_days JSON NOT NULL, 
	warranty_notice_days JSON NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_followup_policies PRIMARY KEY (project_id), 
	CONSTRAINT fk_followup_policies_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE TABLE ticket_counters (
	client_id INTEGER NOT NULL, 
	last_number INTEGER NOT NULL, 
	CONSTRAINT pk_ticket_counters PRIMARY KEY (client_id), 
	CONSTRAINT fk_ticket_counters_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
);
INSERT INTO ticket_counters VALUES(1,2);
INSERT INTO ticket_counters VALUES(2,2);
CREATE TABLE tickets (
	id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	reporter_contact_id INTEGER, 
	conversation_id INTEGER, 
	title VARCHAR(200) NOT NULL, 
	description TEXT NOT NULL, 
	category VARCHAR(32) NOT NULL, 
	severity VARCHAR(4) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	assignee VARCHAR(100), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	first_response_due DATETIME NOT NULL, 
	first_response_warn_at DATETIME NOT NULL, 
	first_response_at DATETIME, 
	resolution_due DATETIME NOT NULL, 
	resolution_warn_at DATETIME NOT NULL, 
	resolved_at DATETIME, 
	CONSTRAINT pk_tickets PRIMARY KEY (id), 
	CONSTRAINT fk_tickets_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_tickets_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE SET NULL, 
	CONSTRAINT fk_tickets_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_tickets_reporter_contact_id_contacts FOREIGN KEY(reporter_contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT uq_tickets_client_id_number UNIQUE (client_id, number)
);
INSERT INTO tickets VALUES(1,2,1,2,NULL,NULL,'Scanners cannot sync stock counts','Since this morning no handheld scanner uploads its counts.','incident','P1','new',NULL,'2026-12-03 06:41:23.178199','2026-12-03 06:41:23.178199','2026-12-03 07:41:23.178199','2026-12-03 07:29:23.178199',NULL,'2026-12-03 14:41:23.178199','2026-12-03 13:05:23.178199',NULL);
INSERT INTO tickets VALUES(2,2,2,2,NULL,NULL,'Nightly report arrives late','The 06:00 stock report arrived at 09:40 three days in a row.','incident','P2','new',NULL,'2026-12-03 06:41:23.189428','2026-12-03 06:41:23.189428','2026-12-03 08:41:23.189428','2026-12-03 08:17:23.189428',NULL,'2026-12-07 06:41:23.189428','2026-12-07 03:05:23.189428',NULL);
INSERT INTO tickets VALUES(3,1,1,1,1,1,'The export button does nothing','Clicking Export in reports shows nothing at all','incident','P2','new',NULL,'2026-12-03 06:41:24.644298','2026-12-03 06:41:24.644298','2026-12-03 09:00:00.000000','2026-12-03 08:48:00.000000',NULL,'2026-12-03 16:00:00.000000','2026-12-03 14:24:00.000000',NULL);
INSERT INTO tickets VALUES(4,1,2,1,1,1,'Login page is slow','Login takes 20 seconds every morning','bug','P3','new',NULL,'2026-12-03 06:41:24.739480','2026-12-03 06:41:24.739480','2026-12-03 12:00:00.000000','2026-12-03 11:12:00.000000',NULL,'2026-12-07 17:00:00.000000','2026-12-07 11:36:00.000000',NULL);
CREATE TABLE ticket_events (
	id INTEGER NOT NULL, 
	ticket_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(100) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	text TEXT, 
	data JSON, 
	CONSTRAINT pk_ticket_events PRIMARY KEY (id), 
	CONSTRAINT fk_ticket_events_ticket_id_tickets FOREIGN KEY(ticket_id) REFERENCES tickets (id) ON DELETE CASCADE
);
INSERT INTO ticket_events VALUES(1,1,'2026-12-03 06:41:23.178199','Dana (PM)','opened','Scanners cannot sync stock counts','{"severity": "P1"}');
INSERT INTO ticket_events VALUES(2,2,'2026-12-03 06:41:23.189428','Dana (PM)','opened','Nightly report arrives late','{"severity": "P2"}');
INSERT INTO ticket_events VALUES(3,3,'2026-12-03 06:41:24.644298','Alice Martin (client)','opened','The export button does nothing','{"severity": "P2"}');
INSERT INTO ticket_events VALUES(4,4,'2026-12-03 06:41:24.739480','Alice Martin (client)','opened','Login page is slow','{"severity": "P3"}');
CREATE TABLE handoff_events (
	id INTEGER NOT NULL, 
	conversation_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	from_state VARCHAR(24) NOT NULL, 
	to_state VARCHAR(24) NOT NULL, 
	note TEXT, 
	CONSTRAINT pk_handoff_events PRIMARY KEY (id), 
	CONSTRAINT fk_handoff_events_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
INSERT INTO handoff_events VALUES(1,1,'2026-12-03 06:41:24.802740','Alice Martin','escalated','bot','waiting_for_human','asked for a person');
CREATE TABLE handoff_relays (
	id INTEGER NOT NULL, 
	conversation_id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	staff VARCHAR(200) NOT NULL, 
	text TEXT NOT NULL, 
	question TEXT, 
	draft_id VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_handoff_relays PRIMARY KEY (id), 
	CONSTRAINT fk_handoff_relays_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE, 
	CONSTRAINT uq_handoff_relays_key UNIQUE ("key")
);
CREATE TABLE handoffs (
	conversation_id INTEGER NOT NULL, 
	state VARCHAR(24) NOT NULL, 
	reason VARCHAR(200), 
	project_id INTEGER, 
	taken_by VARCHAR(200), 
	low_streak INTEGER NOT NULL, 
	escalations INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_handoffs PRIMARY KEY (conversation_id), 
	CONSTRAINT fk_handoffs_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE, 
	CONSTRAINT fk_handoffs_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE SET NULL
);
INSERT INTO handoffs VALUES(1,'waiting_for_human','asked for a person',1,NULL,0,1,'2026-12-03 06:41:24.802740');
CREATE TABLE risk_states (
	project_id INTEGER NOT NULL, 
	score INTEGER NOT NULL, 
	above BOOLEAN NOT NULL, 
	crossings INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_risk_states PRIMARY KEY (project_id), 
	CONSTRAINT fk_risk_states_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE TABLE suggestions (
	id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	project_id INTEGER, 
	contact_id INTEGER, 
	conversation_id INTEGER, 
	author VARCHAR(200) NOT NULL, 
	text TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_suggestions PRIMARY KEY (id), 
	CONSTRAINT fk_suggestions_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_suggestions_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT fk_suggestions_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE SET NULL, 
	CONSTRAINT fk_suggestions_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
INSERT INTO suggestions VALUES(1,1,1,1,1,'Alice Martin','Add a dark mode to the dashboard','2026-12-03 06:41:24.778595');
CREATE TABLE handover_items (
	id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	position INTEGER NOT NULL, 
	title_en VARCHAR(200) NOT NULL, 
	title_zh VARCHAR(200) NOT NULL, 
	due_days INTEGER NOT NULL, 
	due_on DATE NOT NULL, 
	ticked_at DATETIME, 
	ticked_by VARCHAR(100), 
	confirmed_at DATETIME, 
	confirmed_by VARCHAR(200), 
	confirmed_contact_id INTEGER, 
	ticket_id INTEGER, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_handover_items PRIMARY KEY (id), 
	CONSTRAINT fk_handover_items_confirmed_contact_id_contacts FOREIGN KEY(confirmed_contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT fk_handover_items_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_handover_items_ticket_id_tickets FOREIGN KEY(ticket_id) REFERENCES tickets (id) ON DELETE SET NULL, 
	CONSTRAINT uq_handover_items_project_id_key UNIQUE (project_id, "key")
);
INSERT INTO handover_items VALUES(1,1,'acceptance_tests',1,'Acceptance tests passed','验收测试通过',7,'2026-11-20','2026-12-03 06:41:23.083012','Dana (PM)','2026-12-03 06:41:23.107218','Alice Martin',1,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(2,1,'user_manual',2,'User manual delivered','用户手册已交付',7,'2026-11-20','2026-12-03 06:41:23.088739','Dana (PM)','2026-12-03 06:41:23.115981','Alice Martin',1,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(3,1,'technical_docs',3,'Technical documentation delivered','技术文档已交付',14,'2026-11-27','2026-12-03 06:41:23.092768','Dana (PM)',NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(4,1,'project_report',4,'Project report delivered','项目总结报告已交付',14,'2026-11-27','2026-12-03 06:41:23.097224','Dana (PM)',NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(5,1,'installation',5,'Installation and configuration verified','安装与配置已验证',10,'2026-11-23',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(6,1,'data_migration',6,'Data migrated and verified','数据已迁移并核对',14,'2026-11-27',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(7,1,'handover_meeting',7,'Handover meeting held','交接会议已召开',21,'2026-12-04',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(8,1,'sign_off',8,'Sign-off','验收签字',30,'2026-12-13',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:22.912594');
INSERT INTO handover_items VALUES(9,2,'acceptance_tests',1,'Acceptance tests passed','验收测试通过',7,'2025-12-30',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(10,2,'user_manual',2,'User manual delivered','用户手册已交付',7,'2025-12-30',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(11,2,'technical_docs',3,'Technical documentation delivered','技术文档已交付',14,'2026-01-06',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(12,2,'project_report',4,'Project report delivered','项目总结报告已交付',14,'2026-01-06',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(13,2,'installation',5,'Installation and configuration verified','安装与配置已验证',10,'2026-01-02',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(14,2,'data_migration',6,'Data migrated and verified','数据已迁移并核对',14,'2026-01-06',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(15,2,'handover_meeting',7,'Handover meeting held','交接会议已召开',21,'2026-01-13',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
INSERT INTO handover_items VALUES(16,2,'sign_off',8,'Sign-off','验收签字',30,'2026-01-22',NULL,NULL,NULL,NULL,NULL,NULL,'2026-12-03 06:41:23.129857');
CREATE TABLE handover_events (
	id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	item_id INTEGER, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	contact_id INTEGER, 
	ticket_id INTEGER, 
	note TEXT, 
	CONSTRAINT pk_handover_events PRIMARY KEY (id), 
	CONSTRAINT fk_handover_events_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT fk_handover_events_item_id_handover_items FOREIGN KEY(item_id) REFERENCES handover_items (id) ON DELETE CASCADE, 
	CONSTRAINT fk_handover_events_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_handover_events_ticket_id_tickets FOREIGN KEY(ticket_id) REFERENCES tickets (id) ON DELETE SET NULL
);
INSERT INTO handover_events VALUES(1,1,1,'2026-12-03 06:41:23.083041','Dana (PM)','ticked',NULL,NULL,NULL);
INSERT INTO handover_events VALUES(2,1,2,'2026-12-03 06:41:23.088761','Dana (PM)','ticked',NULL,NULL,NULL);
INSERT INTO handover_events VALUES(3,1,3,'2026-12-03 06:41:23.092787','Dana (PM)','ticked',NULL,NULL,NULL);
INSERT INTO handover_events VALUES(4,1,4,'2026-12-03 06:41:23.097250','Dana (PM)','ticked',NULL,NULL,NULL);
INSERT INTO handover_events VALUES(5,1,1,'2026-12-03 06:41:23.107247','Alice Martin','confirmed',1,NULL,NULL);
INSERT INTO handover_events VALUES(6,1,2,'2026-12-03 06:41:23.116008','Alice Martin','confirmed',1,NULL,NULL);
CREATE TABLE surveys (
	id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	skip_reason VARCHAR(32), 
	client_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	ticket_id INTEGER, 
	contact_id INTEGER, 
	conversation_id INTEGER, 
	lang VARCHAR(8) NOT NULL, 
	created_at DATETIME NOT NULL, 
	asked_at DATETIME, 
	reminded_at DATETIME, 
	score INTEGER, 
	answered_at DATETIME, 
	comment TEXT, 
	CONSTRAINT pk_surveys PRIMARY KEY (id), 
	CONSTRAINT fk_surveys_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_surveys_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL, 
	CONSTRAINT fk_surveys_conversation_id_conversations FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE SET NULL, 
	CONSTRAINT fk_surveys_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_surveys_ticket_id_tickets FOREIGN KEY(ticket_id) REFERENCES tickets (id) ON DELETE CASCADE, 
	CONSTRAINT uq_surveys_key UNIQUE ("key")
);
INSERT INTO surveys VALUES(1,'nps:project:2:round:0:contact:3','nps','sent',NULL,2,2,NULL,3,NULL,'zh','2026-12-03 06:41:24.540014','2026-12-03 06:41:24.540014',NULL,NULL,NULL,NULL);
CREATE TABLE survey_followups (
	id INTEGER NOT NULL, 
	survey_id INTEGER NOT NULL, 
	client_id INTEGER NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	summary TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	done_at DATETIME, 
	done_by VARCHAR(100), 
	note TEXT, 
	CONSTRAINT pk_survey_followups PRIMARY KEY (id), 
	CONSTRAINT fk_survey_followups_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_survey_followups_survey_id_surveys FOREIGN KEY(survey_id) REFERENCES surveys (id) ON DELETE CASCADE, 
	CONSTRAINT uq_survey_followups_survey_id UNIQUE (survey_id)
);
CREATE TABLE jobs (
	id INTEGER NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	payload JSON NOT NULL, 
	due_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	"key" VARCHAR(200), 
	locked_by VARCHAR(64), 
	locked_until DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	CONSTRAINT pk_jobs PRIMARY KEY (id), 
	CONSTRAINT uq_jobs_key UNIQUE ("key")
);
INSERT INTO jobs VALUES(1,'followup.checkin','{"project_id": 1, "days": 30}','2026-12-13 09:00:00.000000','pending',0,NULL,'project:1:checkin:30',NULL,NULL,'2026-12-03 06:41:22.927841','2026-12-03 06:41:22.927841',NULL);
INSERT INTO jobs VALUES(2,'followup.checkin','{"project_id": 1, "days": 90}','2027-02-11 09:00:00.000000','pending',0,NULL,'project:1:checkin:90',NULL,NULL,'2026-12-03 06:41:22.931631','2026-12-03 06:41:22.931631',NULL);
INSERT INTO jobs VALUES(3,'followup.warranty','{"project_id": 1, "days": 30}','2027-10-14 08:00:00.000000','pending',0,NULL,'project:1:warranty:30',NULL,NULL,'2026-12-03 06:41:22.933750','2026-12-03 06:41:22.933750',NULL);
INSERT INTO jobs VALUES(4,'followup.warranty','{"project_id": 1, "days": 7}','2027-11-06 09:00:00.000000','pending',0,NULL,'project:1:warranty:7',NULL,NULL,'2026-12-03 06:41:22.935753','2026-12-03 06:41:22.935753',NULL);
INSERT INTO jobs VALUES(5,'survey.nps','{"project": 1, "round": 0}','2026-12-13 09:00:00.000000','pending',0,NULL,'nps:project:1:round:0',NULL,NULL,'2026-12-03 06:41:23.041575','2026-12-03 06:41:23.041575',NULL);
INSERT INTO jobs VALUES(6,'training.after','{"session": 1}','2026-12-10 10:30:00.000000','pending',0,NULL,'training:1:after',NULL,NULL,'2026-12-03 06:41:23.071884','2026-12-03 06:41:23.071884',NULL);
INSERT INTO jobs VALUES(7,'followup.warranty','{"project_id": 2, "days": 7}','2026-12-16 02:00:00.000000','pending',0,NULL,'project:2:warranty:7',NULL,NULL,'2026-12-03 06:41:23.138421','2026-12-03 06:41:23.156292',NULL);
INSERT INTO jobs VALUES(8,'survey.nps','{"project": 2, "round": 0}','2026-01-22 02:00:00.000000','done',1,NULL,'nps:project:2:round:0',NULL,NULL,'2026-12-03 06:41:23.143636','2026-12-03 06:41:24.601927','2026-12-03 06:41:24.601927');
INSERT INTO jobs VALUES(9,'survey.remind','{"survey": 1}','2026-12-04 06:41:24.540014','pending',0,NULL,'nps:project:2:round:0:contact:3:remind',NULL,NULL,'2026-12-03 06:41:24.561342','2026-12-03 06:41:24.561342',NULL);
INSERT INTO jobs VALUES(10,'survey.nps','{"project": 2, "round": 1}','2027-03-03 06:41:24.540014','pending',0,NULL,'nps:project:2:round:1',NULL,NULL,'2026-12-03 06:41:24.589749','2026-12-03 06:41:24.589749',NULL);
INSERT INTO jobs VALUES(11,'handoff.remind','{"conversation_id": 1, "escalation": 1, "count": 1}','2026-12-03 06:56:24.821543','pending',0,NULL,'handoff:remind:1:1:1',NULL,NULL,'2026-12-03 06:41:24.821550','2026-12-03 06:41:24.821550',NULL);
CREATE TABLE slack_threads (
	"key" VARCHAR(200) NOT NULL, 
	channel VARCHAR(64) NOT NULL, 
	ts VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_slack_threads PRIMARY KEY ("key")
);
CREATE TABLE invites (
	id INTEGER NOT NULL, 
	code_hash VARCHAR(64) NOT NULL, 
	client_id INTEGER NOT NULL, 
	contact_id INTEGER, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	used_by VARCHAR(200), 
	CONSTRAINT pk_invites PRIMARY KEY (id), 
	CONSTRAINT fk_invites_client_id_clients FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_invites_contact_id_contacts FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_invites_code_hash UNIQUE (code_hash)
);
CREATE TABLE telegram_callbacks (
	token VARCHAR(64) NOT NULL, 
	payload TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_telegram_callbacks PRIMARY KEY (token)
);
CREATE INDEX ix_contacts_client_id ON contacts (client_id);
CREATE INDEX ix_projects_client_id ON projects (client_id);
CREATE INDEX ix_channel_identities_contact_id ON channel_identities (contact_id);
CREATE INDEX ix_conversations_client_id ON conversations (client_id);
CREATE INDEX ix_messages_conversation_id ON messages (conversation_id);
CREATE INDEX ix_outbox_channel ON outbox (channel);
CREATE INDEX ix_outbox_state ON outbox (state);
CREATE INDEX ix_inbound_events_unfinished ON inbound_events (id) WHERE state IN ('pending', 'processing');
CREATE INDEX ix_inbound_events_chat_unfinished ON inbound_events (chat_key, id) WHERE state IN ('pending', 'processing');
CREATE INDEX ix_inbound_events_finished_at ON inbound_events (finished_at);
CREATE INDEX ix_outbox_unsent_due ON outbox (available_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_outbox_unsent_chat ON outbox (chat_id, id) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_training_sessions_project_id ON training_sessions (project_id);
CREATE INDEX ix_training_sessions_state ON training_sessions (state);
CREATE INDEX ix_training_attendees_contact_id ON training_attendees (contact_id);
CREATE INDEX ix_training_attendees_session_id ON training_attendees (session_id);
CREATE INDEX ix_announcements_client_id ON announcements (client_id);
CREATE INDEX ix_announcements_project_id ON announcements (project_id);
CREATE INDEX ix_announcement_deliveries_announcement_id ON announcement_deliveries (announcement_id);
CREATE INDEX ix_announcement_deliveries_contact_id ON announcement_deliveries (contact_id);
CREATE INDEX ix_tickets_client_id ON tickets (client_id);
CREATE INDEX ix_tickets_reporter_contact_id ON tickets (reporter_contact_id);
CREATE INDEX ix_tickets_status ON tickets (status);
CREATE INDEX ix_ticket_events_ticket_id ON ticket_events (ticket_id);
CREATE INDEX ix_handoff_events_conversation_id ON handoff_events (conversation_id);
CREATE INDEX ix_handoff_relays_conversation_id ON handoff_relays (conversation_id);
CREATE INDEX ix_suggestions_client_id ON suggestions (client_id);
CREATE INDEX ix_suggestions_project_id ON suggestions (project_id);
CREATE INDEX ix_handover_items_project_id ON handover_items (project_id);
CREATE INDEX ix_handover_events_project_id ON handover_events (project_id);
CREATE INDEX ix_surveys_client_id ON surveys (client_id);
CREATE INDEX ix_surveys_contact_id ON surveys (contact_id);
CREATE INDEX ix_surveys_project_id ON surveys (project_id);
CREATE INDEX ix_surveys_state ON surveys (state);
CREATE INDEX ix_surveys_ticket_id ON surveys (ticket_id);
CREATE INDEX ix_survey_followups_client_id ON survey_followups (client_id);
CREATE INDEX ix_survey_followups_state ON survey_followups (state);
CREATE INDEX ix_jobs_state_due_at ON jobs (state, due_at);
CREATE INDEX ix_invites_client_id ON invites (client_id);
COMMIT;
