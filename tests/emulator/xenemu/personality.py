# SPDX-License-Identifier: LGPL-2.1-or-later
"""xend version personalities (reference §0, §1.5, §3.2, §3.3, §3.6)."""

# Required op=migrate parameters, in the order xend checks them (§3.6).
# 'dom' comes first and defaults to the domid from the URL.
_MIGRATE_PARAMS = {
    '3.0.0': ('destination', 'live', 'resource'),
    '3.0.2': ('destination', 'live', 'resource', 'port'),
    '3.3': ('destination', 'live', 'port', 'node', 'ssl'),
    '4.0': ('destination', 'live', 'port', 'node', 'ssl', 'change_home_server'),
    '4.1': ('destination', 'live', 'port', 'node', 'ssl', 'change_home_server'),
}

# Release each personality reports in /xend/node (xen_major, xen_minor, xen_extra).
_RELEASE = {
    '3.0.0': (3, 0, '.0'),
    '3.0.2': (3, 2, '.0'),
    '3.3': (3, 3, '.1'),
    '4.0': (4, 0, '.1'),
    '4.1': (4, 4, '.0'),
}

VERSIONS = tuple(_MIGRATE_PARAMS)

# Xen's x86_capability words (xen/include/asm-x86/cpufeature.h, the same
# layout from 3.0 to 4.4): 0 CPUID 1 EDX (PAE bit 6), 1 0x80000001 EDX,
# 2 Transmeta, 3 synthetic, 4 CPUID 1 ECX (VMX bit 5), 5 VIA, 6 0x80000001
# ECX (SVM bit 2), 7 CPUID 7 EBX (NCAPINTS is 8 from 4.1, before that 7 and
# word 7 stays 0).  Sample words of one Intel (VMX) and one AMD (SVM) CPU.
_X86_WORDS = {
    'intel': (0xbfebfbff, 0x2c100800, 0, 0x00007f00, 0x77fafbff, 0, 0x00000021, 0x000027ab),
    'amd': (0x178bfbff, 0xefd3fbff, 0, 0x00007ff0, 0x00802009, 0, 0x000037ff, 0x00000008),
}
_X86_MACHINES = ('i386', 'i486', 'i586', 'i686', 'x86_64', 'amd64', 'i86pc')


class Personality:
    """What a client can notice about one xend version range.

    3.0.0       Xen 3.0.0 - 3.0.1
    3.0.2       Xen 3.0.2 - 3.2.x, modelled on 3.2 (xend_config_format 4,
                sync errors 500); use the overrides for an exact 3.0.2
    3.3         Xen 3.3 - 3.4
    4.0         Xen 4.0
    4.1         Xen 4.1 - 4.4
    """

    def __init__(self, version, config_format='default', sync_error_status=None):
        if version not in _MIGRATE_PARAMS:
            raise ValueError('unknown xend version %r (one of %s)'
                             % (version, ', '.join(VERSIONS)))
        self.version = version
        self.migrate_params = _MIGRATE_PARAMS[version]
        self.xen_major, self.xen_minor, self.xen_extra = _RELEASE[version]
        old = version == '3.0.0'
        # xend_config_format: absent before 3.0.3, 4 from 3.1 on (§3.2)
        if config_format == 'default':
            config_format = None if old else 4
        self.config_format = config_format
        # c/s 11442 (3.0.3): a failing synchronous op gives 500
        if sync_error_status is None:
            sync_error_status = 200 if old else 500
        self.sync_error_status = sync_error_status
        # c/s 21682 (4.1.0): '' for empty strings, hence the trailing ''
        self.empty_quote = version == '4.1'
        # c/s 17657 (3.3): migrate refuses a domain that is not Running
        self.migrate_needs_running = version in ('3.3', '4.0', '4.1')
        # c/s 20200 (4.0): the source reads the destination's (err ...) reply
        self.error_pickup = version in ('4.0', '4.1')
        # 3.1+: domain lists are filtered by power state (§3.3)
        self.state_filter = not old
        # SSL relocation exists from 3.3 (c/s 17527/17708)
        self.has_ssl = version in ('3.3', '4.0', '4.1')
        # sxp layout of a domain: 3.0.x or XendConfig (3.1+)
        self.old_domain_sxp = old
        self.has_pools = version == '4.1'

    def hw_caps(self, machine, vendor):
        """hw_caps as xend prints Xen's physinfo hw_cap[8] for this host.

        Non-x86 Xen (ia64, powerpc) leaves hw_cap zeroed.  Up to 3.1 xc.c
        dropped the trailing zero words (and printed all eight words with a
        trailing ':' when every word was zero); from 3.2 (c/s 15480) it prints
        all eight.
        """
        if machine in _X86_MACHINES:
            if vendor not in _X86_WORDS:
                raise ValueError('unknown cpu vendor %r (intel or amd)' % vendor)
            words = list(_X86_WORDS[vendor])
            if self.version != '4.1':
                words[7] = 0
        else:
            words = [0] * 8
        text = ''.join('%08x:' % w for w in words)
        if self.version == '3.0.0':
            last = max([i for i, w in enumerate(words) if w] or [-1])
            if last >= 0:
                return text[:9 * (last + 1) - 1]
            return text
        return text[:-1]

    def node_fields(self):
        """Field names of /xend/node, in order."""
        v = self.version
        fields = ['system', 'host', 'release', 'version', 'machine', 'nr_cpus', 'nr_nodes']
        if v in ('3.0.0', '3.0.2'):
            fields.append('sockets_per_node')
        fields += ['cores_per_socket', 'threads_per_core', 'cpu_mhz', 'hw_caps']
        if v in ('3.3', '4.0', '4.1'):
            fields.append('virt_caps')
        fields += ['total_memory', 'free_memory']
        if v == '4.1':
            fields += ['free_cpus', 'cpu_topology', 'numa_info']
        elif v != '3.0.0':
            fields.append('node_to_cpu')
            if v in ('3.3', '4.0'):
                fields.append('node_to_memory')
            if v == '4.0':
                fields += ['node_to_dma32_mem', 'max_node_id']
        fields += ['xen_major', 'xen_minor', 'xen_extra', 'xen_caps']
        if v != '3.0.0':
            fields += ['xen_scheduler', 'xen_pagesize']
        fields.append('platform_params')
        fields.append('xen_changeset')
        if v in ('4.0', '4.1'):
            fields.append('xen_commandline')
        fields += ['cc_compiler', 'cc_compile_by', 'cc_compile_domain', 'cc_compile_date']
        if self.config_format is not None:
            fields.append('xend_config_format')
        return fields
