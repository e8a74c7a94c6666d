export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`tslvs: ${argv.slice(2).join(' ')}\n`);
  return 0;
}
