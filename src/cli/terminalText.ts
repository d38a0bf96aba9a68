/**
 * Text from files and models is data, and a terminal must not execute it: an escape sequence in a
 * repository file or a model answer could retitle the window, hide lines, rewrite what was printed
 * (OSC 52 even writes the clipboard). Text mode strips every ESC sequence (CSI, OSC, DCS, single-char),
 * C1 controls (0x9B is a one-byte CSI) and C0 controls other than newline and tab.
 */

// ESC [ … final | ESC ] … (BEL | ESC \) | ESC P/X/^/_ … ESC \ | ESC + one char. An unterminated string
// sequence ends at the line: its ESC is gone, so what follows is plain text again.
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?|\x1b[\s\S]?/g;
// C0 except \t (09) and \n (0A), DEL, C1.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function safeForTerminal(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** Whether argv asks for machine output (JSON / SARIF), which is printed as it is. */
export function wantsMachineOutput(argv: readonly string[]): boolean {
  if (argv.includes('--json')) return true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format' && /^(json|sarif)$/.test(argv[i + 1] ?? '')) return true;
    if (/^--format=(json|sarif)$/.test(a)) return true;
  }
  return false;
}
