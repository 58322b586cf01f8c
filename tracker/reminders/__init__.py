"""Reminders (催报、催办, DESIGN.md section 13): the daily pass and the 催报 button.

Three layers, lowest first:

- ``reminders.due`` (pure core): given day D, the rules (R and the day counts) and plain values
  (reports due with their states, open issues, milestones), every reminder due that day;
- ``tracker.notify`` (a low domain, right above auth, so that reports and issues can send
  their events at once): the notifications table whose unique key (kind, subject, recipient,
  step, channel) makes any number of passes or workers deliver a reminder once, the channels
  (in the app, e-mail, 企业微信/钉钉 robots) and delivery with retries through the job queue;
- this package (beside briefs): gathers the pure inputs from reports, issues and milestones,
  runs the pass (the ``remind`` command, the huey periodic task at 09:00 park time) and the
  supervisors' 催报 button.
"""
