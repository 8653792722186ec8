/** Where a command writes for its user: the terminal, or the stream back to a CLI that forwarded it to the service. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const terminal: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
