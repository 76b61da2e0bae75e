/** A link or domain made unclickable for someone to read (`hxxps://example[.]com/…`), as abuse desks expect: the reports, the takedown packs and the console show them so. */
export function defang(link: string): string {
  const scheme = /^(h)tt(ps?):\/\//i.exec(link);
  const rest = scheme ? link.slice(scheme[0].length) : link;
  const hostEnd = rest.search(/[/?#]/);
  const host = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
  return `${scheme ? `${scheme[1]}xx${scheme[2]}://` : ''}${host.replaceAll('.', '[.]')}${hostEnd < 0 ? '' : rest.slice(hostEnd)}`;
}
