/** ExecuTorch ScalarType codes (schema/scalar_type.fbs; pte-ptd-format.md §3.9). */

export const ScalarType = {
  BYTE: 0, CHAR: 1, SHORT: 2, INT: 3, LONG: 4, HALF: 5, FLOAT: 6, DOUBLE: 7, BOOL: 11,
  QINT8: 12, QUINT8: 13, QINT32: 14, BFLOAT16: 15, QUINT4X2: 16, QUINT2X4: 17, UINT16: 27, UINT32: 28, UINT64: 29,
} as const;

const names: Record<number, [string, number]> = {
  0: ['BYTE', 1], 1: ['CHAR', 1], 2: ['SHORT', 2], 3: ['INT', 4], 4: ['LONG', 8], 5: ['HALF', 2], 6: ['FLOAT', 4], 7: ['DOUBLE', 8],
  8: ['COMPLEXHALF', 4], 9: ['COMPLEXFLOAT', 8], 10: ['COMPLEXDOUBLE', 16], 11: ['BOOL', 1], 12: ['QINT8', 1], 13: ['QUINT8', 1],
  14: ['QINT32', 4], 15: ['BFLOAT16', 2], 16: ['QUINT4X2', 1], 17: ['QUINT2X4', 1], 18: ['BITS1X8', 1], 19: ['BITS2X4', 1],
  20: ['BITS4X2', 1], 21: ['BITS8', 1], 22: ['BITS16', 2], 23: ['FLOAT8E5M2', 1], 24: ['FLOAT8E4M3FN', 1], 25: ['FLOAT8E5M2FNUZ', 1],
  26: ['FLOAT8E4M3FNUZ', 1], 27: ['UINT16', 2], 28: ['UINT32', 4], 29: ['UINT64', 8],
};

/** Bytes per element, or undefined for a code outside 0..29 (which the runtime rejects). */
export function elementSize(code: number): number | undefined {
  return names[code]?.[1];
}

export function scalarTypeName(code: number): string {
  return names[code]?.[0] ?? `UNKNOWN(${code})`;
}
