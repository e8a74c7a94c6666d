// Config values (emailalert, emailalertfrom, servicename, comment) and the subject go into mail
// headers and single-line body fields. ldirectord writes them raw, so a CR or LF in one starts
// a new header ("Bcc: …" makes `sendmail -t` add a recipient). Every run of CR/LF becomes one
// space; nothing else changes, so values without them give ldirectord's bytes.

/** `value` on one line. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
