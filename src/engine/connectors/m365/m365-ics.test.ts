import { describe, expect, it } from 'vitest';
import { ATTENDEES_PROPERTY, HASH_PROPERTY } from './m365-context.js';
import { contentLines, eventToIcs, fold, icsToEvent } from './m365-ics.js';

describe('Graph event ↔ ICS', () => {
  const event = {
    id: 'e1', iCalUId: 'uid-1', subject: 'Budget; Q3, review', body: { contentType: 'html', content: '<p>Agenda<br>Numbers</p>' },
    start: { dateTime: '2024-03-01T09:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2024-03-01T10:30:00.0000000', timeZone: 'UTC' },
    location: { displayName: 'Room 4' }, organizer: { emailAddress: { address: 'ada@contoso.example', name: 'Ada' } },
    attendees: [{ emailAddress: { address: 'bea@contoso.example', name: 'Bea' }, type: 'required' }, { emailAddress: { address: 'cy@example.org' }, type: 'optional' }],
    categories: ['Red'], showAs: 'busy', sensitivity: 'private',
    recurrence: { pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'friday'] }, range: { type: 'numbered', startDate: '2024-03-01', numberOfOccurrences: 6 } },
  };

  it('writes a stable VEVENT with attendees, organizer and recurrence', () => {
    const ics = eventToIcs(event);
    expect(ics).toBe(eventToIcs(event));
    const lines = contentLines(ics);
    const value = (n: string) => lines.find((l) => l.name === n)?.value;
    expect(value('UID')).toBe('uid-1');
    expect(value('DTSTART')).toBe('20240301T090000Z');
    expect(value('SUMMARY')).toBe('Budget\\; Q3\\, review');
    expect(value('DESCRIPTION')).toBe('Agenda\\nNumbers');
    expect(value('RRULE')).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=6');
    expect(lines.filter((l) => l.name === 'ATTENDEE').map((l) => [l.params.ROLE, l.value])).toEqual([['REQ-PARTICIPANT', 'mailto:bea@contoso.example'], ['OPT-PARTICIPANT', 'mailto:cy@example.org']]);
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
  });

  it('reads it back into an event without attendees: the list goes into the body and a named property', () => {
    const created = icsToEvent(eventToIcs(event), 'hash-1');
    expect(created).toMatchObject({
      subject: 'Budget; Q3, review', start: { dateTime: '2024-03-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2024-03-01T10:30:00', timeZone: 'UTC' },
      isAllDay: false, location: { displayName: 'Room 4' }, categories: ['Red'], showAs: 'busy', sensitivity: 'private',
      recurrence: { pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'friday'] }, range: { type: 'numbered', numberOfOccurrences: 6 } },
    });
    expect(created.attendees).toBeUndefined();
    expect(created.body?.content).toContain('Bea <bea@contoso.example>; cy@example.org');
    const props = Object.fromEntries((created.singleValueExtendedProperties ?? []).map((p) => [p.id, p.value]));
    expect(props[HASH_PROPERTY]).toBe('hash-1');
    expect(JSON.parse(props[ATTENDEES_PROPERTY]!)).toEqual(['Bea <bea@contoso.example>', 'cy@example.org']);
  });

  it('handles all-day events, TZID times and a missing DTEND', () => {
    const allDay = icsToEvent('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20240704\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', 'h');
    expect(allDay).toMatchObject({ isAllDay: true, start: { dateTime: '2024-07-04T00:00:00' }, end: { dateTime: '2024-07-05T00:00:00' } });
    const zoned = icsToEvent('BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20240704T100000\r\nSUMMARY:x\r\nEND:VEVENT\r\n', 'h');
    expect(zoned).toMatchObject({ start: { dateTime: '2024-07-04T10:00:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2024-07-04T11:00:00', timeZone: 'Europe/Paris' } });
    expect(eventToIcs({ subject: 'x', isAllDay: true, start: { dateTime: '2024-07-04T00:00:00', timeZone: 'UTC' } })).toContain('DTSTART;VALUE=DATE:20240704');
  });

  it('folds long lines on character boundaries', () => {
    const long = `SUMMARY:${'é'.repeat(60)}`;
    const folded = fold(long);
    expect(folded.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(contentLines(`${folded}\r\n`)[0]?.value).toBe('é'.repeat(60));
  });
});
