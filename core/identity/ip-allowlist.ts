import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The backend's network allow-list (ADMIN_IP_ALLOWLIST), IPv4 and IPv6 CIDRs. */
export class IpAllowList {
  private readonly list = new BlockList();

  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', prefix = ''] = cidr.split('/');
      this.list.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
    }
  }

  /** IPv4-mapped IPv6 addresses (::ffff:10.0.0.1, as dual-stack sockets report) count as IPv4. */
  allows(ip: string | undefined | null): boolean {
    if (!ip) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    if (mapped) return this.list.check(mapped, 'ipv4');
    if (isIPv4(ip)) return this.list.check(ip, 'ipv4');
    if (isIPv6(ip)) return this.list.check(ip, 'ipv6');
    return false;
  }
}
