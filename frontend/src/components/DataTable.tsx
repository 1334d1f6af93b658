import type { ReactNode } from 'react';

/** `data-*` attributes that tests and styles select rows and cells by. */
export type DataAttributes = Readonly<Record<`data-${string}`, string | number | boolean>>;

/** One column of a {@link DataTable}: its header and how each row fills its cell. */
export interface Column<Row> {
  /** Unique within the table (the React key). */
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: Row) => ReactNode;
  /** Right-aligned figures (header and cells). */
  readonly numeric?: boolean;
  /** A class for the body cells only. */
  readonly cellClassName?: string;
  readonly cellData?: (row: Row) => DataAttributes;
}

interface DataTableProps<Row> {
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  readonly rowKey: (row: Row) => string;
  readonly rowData?: (row: Row) => DataAttributes;
  /**
   * A click anywhere on a row (mouse users); the row must also hold a button that does the same,
   * for the keyboard and screen readers.
   */
  readonly onRowClick?: (row: Row) => void;
  /** @default 'table' */
  readonly className?: string;
}

/** A table whose columns are data: the Dashboard's tables and the Logs table share it. */
export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  rowData,
  onRowClick,
  className = 'table',
}: DataTableProps<Row>) {
  return (
    <table className={className}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.key} scope="col" className={column.numeric ? 'num' : undefined}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={rowKey(row)}
            {...rowData?.(row)}
            className={onRowClick ? 'row-clickable' : undefined}
            onClick={onRowClick ? () => onRowClick(row) : undefined}
          >
            {columns.map((column) => (
              <td
                key={column.key}
                className={
                  [column.numeric ? 'num' : '', column.cellClassName ?? '']
                    .filter(Boolean)
                    .join(' ') || undefined
                }
                {...column.cellData?.(row)}
              >
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
