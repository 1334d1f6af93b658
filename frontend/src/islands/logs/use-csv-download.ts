import { useState } from 'react';
import { api, errorMessage } from '../../lib/api-client.ts';
import { filterQuery, type SharedFilters } from '../../lib/filters.ts';

export interface CsvDownload {
  readonly busy: boolean;
  readonly error: string | null;
}

/** Saves the logs matching the filters as a CSV file through a temporary link. */
export function useCsvDownload(filters: SharedFilters | null) {
  const [download, setDownload] = useState<CsvDownload>({ busy: false, error: null });

  const start = async () => {
    if (!filters) return;
    setDownload({ busy: true, error: null });
    try {
      const blob = await api.downloadLogsCsv(filterQuery(filters));
      saveBlob(blob, `metrion-logs-${new Date().toISOString().slice(0, 10)}.csv`);
      setDownload({ busy: false, error: null });
    } catch (error) {
      setDownload({ busy: false, error: errorMessage(error) });
    }
  };

  return { download, start };
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
