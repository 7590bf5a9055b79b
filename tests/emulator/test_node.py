# SPDX-License-Identifier: LGPL-2.1-or-later
"""/xend/node fields that follow the host: hw_caps by machine and version,
the NUMA fields in xend's own formats (reference §3.2)."""

import unittest

from emutest import Host
from xenemu import sxp
from xenemu.personality import Personality, VERSIONS


def word(hw_caps, n):
    words = hw_caps.split(':')
    return int(words[n], 16) if n < len(words) and words[n] else 0


class HwCapsTest(unittest.TestCase):
    def test_x86_vendors(self):
        for v in VERSIONS:
            p = Personality(v)
            intel = p.hw_caps('x86_64', 'intel')
            amd = p.hw_caps('i686', 'amd')
            with self.subTest(version=v):
                # PAE word 0 bit 6, VMX word 4 bit 5, SVM word 6 bit 2
                self.assertTrue(word(intel, 0) & 1 << 6)
                self.assertTrue(word(intel, 4) & 1 << 5)
                self.assertFalse(word(intel, 6) & 1 << 2)
                self.assertTrue(word(amd, 0) & 1 << 6)
                self.assertFalse(word(amd, 4) & 1 << 5)
                self.assertTrue(word(amd, 6) & 1 << 2)
                self.assertEqual(p.hw_caps('i86pc', 'amd'), amd)

    def test_non_x86_has_no_pae(self):
        for v in VERSIONS:
            for machine in ('ia64', 'ppc64'):
                caps = Personality(v).hw_caps(machine, 'intel')
                with self.subTest(version=v, machine=machine):
                    self.assertFalse(word(caps, 0) & 1 << 6)
                    self.assertEqual(caps.replace('0', '').replace(':', ''), '')

    def test_word_count_by_version(self):
        # 3.0.x-3.1 cut trailing zero words; word 7 only from 4.1 (NCAPINTS 8)
        self.assertEqual(len(Personality('3.0.0').hw_caps('x86_64', 'intel').split(':')), 7)
        self.assertEqual(Personality('3.0.0').hw_caps('ia64', 'intel'), '00000000:' * 8)
        self.assertEqual(Personality('3.0.2').hw_caps('x86_64', 'intel').split(':')[7],
                         '00000000')
        self.assertNotEqual(Personality('4.1').hw_caps('x86_64', 'intel').split(':')[7],
                            '00000000')
        self.assertEqual(len(Personality('4.0').hw_caps('ppc64', 'amd').split(':')), 8)

    def test_unknown_vendor(self):
        with self.assertRaises(ValueError):
            Personality('4.1').hw_caps('x86_64', 'via')


class NumaTest(unittest.TestCase):
    def node(self, version, *args):
        h = Host('n' + version.replace('.', ''), xenstore=False, unix=False,
                 args=['--version', version, '--relocation-server', 'no',
                       '--nr-cpus', '6', '--nr-nodes', '2', '--machine', 'ia64'] + list(args))
        try:
            fields = sxp.parse(h.get('/xend/node').body.decode())[0][1:]
            return dict((f[0], f[1] if len(f) > 1 else '') for f in fields)
        finally:
            h.stop()

    def test_node_to_cpu_32_40(self):
        node = self.node('4.0')
        self.assertEqual(node['node_to_cpu'], 'node0:0-2\n' + ' ' * 25 + 'node1:3-5')
        self.assertEqual(node['nr_nodes'], '2')
        self.assertEqual(node['max_node_id'], '1')
        self.assertEqual(node['hw_caps'], ':'.join(['00000000'] * 8))
        self.assertNotIn('cpu_topology', node)

    def test_virt_caps_follow_xen_caps(self):
        self.assertEqual(self.node('4.0')['virt_caps'], 'hvm hvm_directio')
        node = self.node('4.0', '--xen-caps', 'xen-3.0-ia64')
        self.assertEqual(node['virt_caps'], '')

    def test_cpu_topology_41(self):
        node = self.node('4.1')
        lines = node['cpu_topology'].split('\n')
        self.assertEqual(lines[0], '')
        self.assertEqual(lines[1], 'cpu:    core    socket     node')
        self.assertEqual(lines[2], '  0:       0        0        0')
        self.assertEqual(lines[-1], '  5:       5        0        1')
        self.assertEqual(node['numa_info'], 'none')
        self.assertNotIn('node_to_cpu', node)


if __name__ == '__main__':
    unittest.main()
