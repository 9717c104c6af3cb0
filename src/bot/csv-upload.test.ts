import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ChatUpload } from './context.js';
import { isCsvUpload, MAX_CSV_BYTES, readCsvUpload } from './csv-upload.js';

function upload(props: Partial<ChatUpload> & { text?: string }): ChatUpload & { downloads: number } {
  const made = {
    name: 'mapping.csv',
    downloads: 0,
    ...props,
    download: async () => {
      made.downloads += 1;
      return props.text ?? '';
    },
  };
  return made;
}

describe('isCsvUpload', () => {
  it('goes by the extension first, then the platform file type, then the MIME type', () => {
    expect(isCsvUpload({ name: 'Mapping.CSV' })).toBe(true);
    expect(isCsvUpload({ name: 'mapping.txt', mimetype: 'text/plain' })).toBe(true);
    expect(isCsvUpload({ name: 'mapping.xlsx', mimetype: 'text/csv' })).toBe(false);
    expect(isCsvUpload({ name: 'mapping', filetype: 'csv' })).toBe(true);
    expect(isCsvUpload({ name: 'mapping', mimetype: 'application/vnd.ms-excel' })).toBe(true);
    expect(isCsvUpload({ name: 'scan', mimetype: 'application/pdf' })).toBe(false);
  });
});

describe('readCsvUpload', () => {
  it('drops the byte order mark Excel puts before the header', async () => {
    expect(await readCsvUpload(upload({ text: '\uFEFFsource_address,status\r\n' }), 'acme')).toBe('source_address,status\r\n');
  });

  it('refuses a wrong type or an oversized file by name, without downloading it', async () => {
    const pdf = upload({ name: 'plan.pdf' });
    await expect(readCsvUpload(pdf, 'acme')).rejects.toSatisfy((e) => AppError.is(e, 'BAD_INPUT') && e.userMessage.startsWith('“plan.pdf” is not a CSV file'));
    const huge = upload({ size: MAX_CSV_BYTES + 1 });
    await expect(readCsvUpload(huge, 'acme')).rejects.toSatisfy((e) => AppError.is(e, 'BAD_INPUT') && /“mapping\.csv” is 2\.0 MB/.test(e.userMessage));
    expect(pdf.downloads + huge.downloads).toBe(0);
  });
});
