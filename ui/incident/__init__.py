"""The open incident: procedure navigator, step page, quick log, attention banner and
referral panel, with the registers and the timeline in tabs."""
