import { describe, expect, it } from 'vitest';
import { HASH_PROPERTY } from './m365-context.js';
import { contactToVcard, vcardToContact } from './m365-vcard.js';

describe('Graph contact ↔ vCard 3.0', () => {
  const contact = {
    displayName: 'Chloé Dubois', givenName: 'Chloé', surname: 'Dubois', emailAddresses: [{ address: 'chloe@example.org', name: 'Chloé' }],
    mobilePhone: '+33 6 00 00 00 00', businessPhones: ['+33 1 00 00 00 00'], companyName: 'Fabrikam', department: 'R&D', jobTitle: 'Engineer',
    businessAddress: { street: '1 rue de la Paix', city: 'Paris', postalCode: '75002', countryOrRegion: 'France' }, birthday: '1990-05-06T11:59:00Z',
    personalNotes: 'Met at the fair; likes tea', categories: ['Suppliers'],
  };

  it('writes a vCard 3.0 and reads the same contact back', () => {
    const card = contactToVcard(contact);
    expect(card).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\nFN:Chloé Dubois\r\nN:Dubois;Chloé;;;\r\n/);
    expect(card).toContain('EMAIL;TYPE=INTERNET:chloe@example.org');
    expect(card).toContain('ADR;TYPE=WORK:;;1 rue de la Paix;Paris;;75002;France');
    const back = vcardToContact(card, 'h9');
    expect(back).toMatchObject({
      displayName: 'Chloé Dubois', givenName: 'Chloé', surname: 'Dubois', emailAddresses: [{ address: 'chloe@example.org' }], mobilePhone: '+33 6 00 00 00 00',
      businessPhones: ['+33 1 00 00 00 00'], companyName: 'Fabrikam', department: 'R&D', jobTitle: 'Engineer', birthday: '1990-05-06T11:59:00Z',
      businessAddress: { street: '1 rue de la Paix', city: 'Paris', postalCode: '75002', countryOrRegion: 'France' },
      personalNotes: 'Met at the fair; likes tea', categories: ['Suppliers'],
    });
    expect(back.singleValueExtendedProperties).toEqual([{ id: HASH_PROPERTY, value: 'h9' }]);
  });

  it('reads the minimal cards other platforms send', () => {
    expect(vcardToContact('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Contact 0\r\nEMAIL:c0@example.org\r\nTEL:123\r\nEND:VCARD\r\n', 'h'))
      .toMatchObject({ displayName: 'Contact 0', emailAddresses: [{ address: 'c0@example.org' }], businessPhones: ['123'] });
  });
});
