"""aiosmtpd handler for the SMTP tests: a Maildir that refuses some recipients.

Recipients whose local part starts with "unknown" get a permanent 550, those starting
with "busy" a temporary 451; every other message is stored in the Maildir given on
the command line (`-c declic_smtp_handler.RefusingMailbox <maildir>`).
"""

from aiosmtpd.handlers import Mailbox


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("unknown"):
            return "550 5.1.1 No such user here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
