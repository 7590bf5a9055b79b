# SPDX-License-Identifier: LGPL-2.1-or-later
"""One emulated host: its domains, memory, xenstore tree and migration records."""

import itertools
import threading
import time
import uuid as uuidlib

from .sxp import Long, py2_int, show
from .xenstore import Store

PAGE = 4096
MIB = 1 << 20
DOM0_UUID = '00000000-0000-0000-0000-000000000000'
MAX_RECORDS = 1000

# power state -> (status N) of the domain SXP (reference §3.4); a domain suspended for
# migration reports Halted (§4.5)
STATUS = {'running': 2, 'paused': 1, 'suspended': 0, 'halted': 0}

_PV_NOTES = [
    ['HV_START_LOW', Long(18446603336221196288)],
    ['FEATURES', '!writable_page_tables|pae_pgdir_above_4gb'],
    ['VIRT_BASE', Long(18446744071562067968)],
    ['GUEST_VERSION', '2.6'],
    ['PADDR_OFFSET', 0],
    ['GUEST_OS', 'linux'],
    ['HYPERCALL_PAGE', Long(18446744071578849280)],
    ['LOADER', 'generic'],
    ['SUSPEND_CANCEL', 1],
    ['ENTRY', Long(18446744071584092672)],
    ['XEN_VERSION', 'xen-3.0'],
]


class Domain:
    """A domain.  memory/maxmem in MiB, dirty in MiB/s of pages written while running."""

    def __init__(self, name, memory, uuid=None, vcpus=1, hvm=False, dirty=0.0,
                 paused=False, maxmem=None, domid=None):
        self.domid = domid
        self.name = name
        self.uuid = uuid or str(uuidlib.uuid4())
        self.memory = int(memory)
        self.maxmem = int(maxmem if maxmem is not None else memory)
        self.vcpus = int(vcpus)
        self.hvm = bool(hvm)
        self.dirty = float(dirty)
        self.power = 'paused' if paused else 'running'
        self.start_time = time.time()
        self.cpu_base = 0.0
        self.cpu_since = time.monotonic()
        self.restored = False         # values read back from xenstore print as longs
        self.vm_path = None
        self.store_port = self.console_port = 0
        self.store_mfn = self.console_mfn = 0
        self.mac = '00:16:3e:%02x:%02x:%02x' % tuple(uuidlib.UUID(self.uuid).bytes[:3])

    @classmethod
    def from_spec(cls, spec):
        """A domain from config.parse_domain()'s dict."""
        return cls(spec['name'], spec['memory'], uuid=spec['uuid'], vcpus=spec['vcpus'],
                   hvm=spec['hvm'], dirty=spec['dirty'], paused=spec['paused'],
                   maxmem=spec['maxmem'])

    @property
    def pages(self):
        return self.memory * MIB // PAGE

    def set_power(self, power):
        self.cpu_base = self.cpu_time()
        self.cpu_since = time.monotonic()
        self.power = power

    def cpu_time(self):
        if self.power != 'running':
            return self.cpu_base
        load = 1.0 if self.busy else 0.01
        return self.cpu_base + (time.monotonic() - self.cpu_since) * load * self.vcpus

    @property
    def busy(self):
        return self.domid == 0 or self.dirty > 0

    @property
    def status(self):
        return STATUS[self.power]

    def state_string(self):
        if self.power == 'running':
            return 'r-----' if self.busy else '-b----'
        if self.power == 'paused':
            return '--p---'
        return '---s--'

    def image(self):
        if self.domid == 0:
            return None
        if self.hvm:
            return ['hvm', ['kernel', ''], ['device_model', '/usr/lib/xen/bin/qemu-dm'],
                    ['boot', 'c'], ['acpi', 1], ['apic', 1], ['pae', 1], ['vnc', 1],
                    ['notes', ['SUSPEND_CANCEL', 1]]]
        return ['linux', ['kernel', '/boot/vmlinuz-3.2.0-4-amd64'],
                ['ramdisk', '/boot/initrd.img-3.2.0-4-amd64'],
                ['args', 'root=/dev/xvda1 ro console=hvc0'], ['notes'] + _PV_NOTES]

    def devices(self):
        if self.domid == 0:
            return []
        u = uuidlib.UUID(self.uuid)
        vbd_uuid = str(uuidlib.uuid5(u, 'vbd'))
        vif_uuid = str(uuidlib.uuid5(u, 'vif'))
        vif = ['vif', ['bridge', 'xenbr0'], ['mac', self.mac],
               ['script', '/etc/xen/scripts/vif-bridge'], ['uuid', vif_uuid], ['backend', 0]]
        if self.hvm:
            vif.append(['type', 'ioemu'])
        vbd = ['vbd', ['uname', 'phy:/dev/vg0/' + self.name], ['uuid', vbd_uuid],
               ['mode', 'w'], ['dev', 'hda:disk' if self.hvm else 'xvda'], ['backend', 0],
               ['bootable', 1]]
        return [['device', vif], ['device', vbd]]

    def vcpu_avail(self):
        mask = (1 << self.vcpus) - 1
        return Long(mask) if self.restored else mask

    def sxpr(self, pers):
        """The (domain ...) list of GET /xend/domain/<dom> (reference §3.4)."""
        if pers.old_domain_sxp:
            return self._sxpr_30()
        s = ['domain', ['domid', self.domid], ['cpu_weight', 256], ['cpu_cap', 0]]
        if pers.has_pools:
            s.append(['pool_name', 'Pool-0'])
        if self.domid != 0:
            s.append(['bootloader', ''])
        s += [['vcpus', self.vcpus], ['on_poweroff', 'destroy'], ['description', ''],
              ['on_crash', 'restart'], ['uuid', self.uuid]]
        if self.domid != 0:
            s.append(['bootloader_args', ''])
        s += [['name', self.name], ['on_reboot', 'restart'], ['maxmem', self.maxmem],
              ['memory', self.memory], ['shadow_memory', 8 if self.hvm else 0],
              ['vcpu_avail', self.vcpu_avail()], ['features', ''],
              ['on_xend_start', 'ignore'], ['on_xend_stop', 'ignore'],
              ['start_time', self.start_time], ['cpu_time', self.cpu_time()],
              ['online_vcpus', self.vcpus]]
        image = self.image()
        if image:
            s.append(['image', image])
        s += [['status', self.status], ['state', self.state_string()]]
        if self.domid != 0:
            s += [['store_mfn', self.store_mfn], ['console_mfn', self.console_mfn]]
        return s + self.devices()

    def _sxpr_30(self):
        """The 3.0.x element set (reference §3.4, order approximate)."""
        s = ['domain', ['domid', self.domid], ['uuid', self.uuid], ['memory', self.memory],
             ['ssidref', 0], ['maxmem', self.maxmem], ['name', self.name],
             ['on_poweroff', 'destroy'], ['on_reboot', 'restart'], ['on_crash', 'restart'],
             ['vcpu_avail', self.vcpu_avail()]]
        image = self.image()
        if image:
            s.append(['image', image])
        s += self.devices()
        now = time.time()
        s += [['state', self.state_string()], ['cpu_time', self.cpu_time()],
              ['vcpus', self.vcpus], ['online_vcpus', self.vcpus],
              ['up_time', show(now - self.start_time)], ['start_time', show(self.start_time)]]
        if self.domid != 0:
            s += [['store_mfn', self.store_mfn], ['console_mfn', self.console_mfn]]
        return s

    def to_json(self):
        return {'domid': self.domid, 'name': self.name, 'uuid': self.uuid,
                'memory': self.memory, 'maxmem': self.maxmem, 'vcpus': self.vcpus,
                'type': 'hvm' if self.hvm else 'pv', 'dirty': self.dirty,
                'power': self.power, 'status': self.status, 'state': self.state_string(),
                'vm_path': self.vm_path}


class Host:
    """Domains and memory of one host, kept in step with its xenstore tree."""

    def __init__(self, cfg, pers, faults):
        self.cfg = cfg
        self.pers = pers
        self.faults = faults
        self.lock = threading.RLock()
        self.store = Store()
        self.store.domain_exists = lambda domid: domid in self.domains
        self.domains = {}
        self.total_memory = cfg.total_memory
        self._next_domid = 1
        self._ports = itertools.count(10)
        self._mfns = itertools.count(0x12a000, 0x101)
        self._record_ids = itertools.count(1)
        self.records = []
        self.hung = []      # sockets of HTTP requests that were never answered (§4.7)
        for path in ('/local/domain', '/vm', '/tool'):
            self.store.h_write(path, b'')
        dom0 = Domain('Domain-0', cfg.dom0_memory, uuid=DOM0_UUID,
                      vcpus=cfg.nr_cpus, domid=0)
        self._add(dom0, introduce=False)

    # ---- memory

    def free_memory(self):
        with self.lock:
            return self.total_memory - sum(d.memory for d in self.domains.values())

    # ---- lookup (reference §3.1: name, domid, uuid)

    def lookup(self, key):
        with self.lock:
            for d in self.domains.values():
                if d.name == key:
                    return d
            try:
                d = self.domains.get(py2_int(key))
            except ValueError:
                d = None
            if d is not None:
                return d
            for d in self.domains.values():
                if d.uuid == key:
                    return d
            return None

    def by_name_or_uuid(self, name, uuid):
        with self.lock:
            for d in self.domains.values():
                if d.name == name or d.uuid == uuid:
                    return d
            return None

    # ---- domain life cycle

    def create(self, dom, introduce=True, domid=None):
        """Give dom a fresh (or the given, unused) domid and add it."""
        with self.lock:
            if domid is None or domid in self.domains:
                domid = self._next_domid
            dom.domid = domid
            self._next_domid = max(self._next_domid, domid + 1)
            self._add(dom, introduce)
        return dom

    def _add(self, dom, introduce):
        dom.store_port, dom.console_port = next(self._ports), next(self._ports)
        if dom.domid != 0:
            dom.store_mfn, dom.console_mfn = next(self._mfns), next(self._mfns)
        self.domains[dom.domid] = dom
        self._xs_write_domain(dom)
        if introduce:
            self.store.h_fire('@introduceDomain')

    def destroy(self, dom):
        with self.lock:
            if self.domains.get(dom.domid) is not dom:
                return
            del self.domains[dom.domid]
            dom.set_power('halted')
        st = self.store
        st.h_rm('/local/domain/%d' % dom.domid)
        for cls in ('vbd', 'vif'):
            st.h_rm('/local/domain/0/backend/%s/%d' % (cls, dom.domid))
        if dom.vm_path:
            st.h_rm(dom.vm_path)
        st.h_fire('@releaseDomain')

    def rename(self, dom, name):
        with self.lock:
            dom.name = name
        self.store.h_write('/local/domain/%d/name' % dom.domid, name.encode('latin-1'))
        if dom.vm_path:
            self.store.h_write(dom.vm_path + '/name', name.encode('latin-1'))

    def set_power(self, dom, power):
        with self.lock:
            dom.set_power(power)

    def suspend(self, dom):
        """The final round of a save: the guest suspends (reference §6.5)."""
        self.store.h_write('/local/domain/%d/control/shutdown' % dom.domid, b'suspend')
        with self.lock:
            dom.set_power('suspended')
        self.store.h_fire('@releaseDomain')

    def resume(self, dom, power):
        with self.lock:
            dom.set_power(power)
        self.store.h_rm('/local/domain/%d/control/shutdown' % dom.domid)

    # ---- xenstore layout (reference §6.4)

    def _xs_write_domain(self, dom):
        st = self.store
        base = '/local/domain/%d' % dom.domid
        if dom.vm_path is None:
            dom.vm_path = '/vm/' + dom.uuid
            n = 0
            while st.h_exists(dom.vm_path):
                n += 1
                dom.vm_path = '/vm/%s-%d' % (dom.uuid, n)
        w = st.h_write
        vm = dom.vm_path
        w(vm + '/uuid', dom.uuid)
        w(vm + '/name', dom.name.encode('latin-1'))
        w(vm + '/vcpus', dom.vcpus)
        w(vm + '/vcpu_avail', (1 << dom.vcpus) - 1)
        w(vm + '/memory', dom.memory)
        w(vm + '/maxmem', dom.maxmem)
        w(vm + '/start_time', show(dom.start_time))
        if dom.domid != 0:
            for key, value in (('on_poweroff', 'destroy'), ('on_crash', 'restart'),
                               ('on_reboot', 'restart')):
                w(vm + '/' + key, value)
            w(vm + '/image', show(dom.image(), self.pers.empty_quote).encode('latin-1'))
            w(vm + '/xend/restart_count', 0)
            st.h_set_perms(vm + '/uuid', ['n0', 'r%d' % dom.domid])
        w(base + '/domid', dom.domid)
        w(base + '/name', dom.name.encode('latin-1'))
        w(base + '/vm', vm)
        w(base + '/memory/target', dom.memory * 1024)
        for n in range(dom.vcpus):
            w(base + '/cpu/%d/availability' % n, 'online')
        if dom.domid == 0:
            return
        st.h_set_perms(base, ['n0', 'r%d' % dom.domid])
        w(base + '/console/limit', 1048576)
        w(base + '/console/port', dom.console_port)
        w(base + '/console/ring-ref', dom.console_mfn)
        w(base + '/console/type', 'ioemu' if dom.hvm else 'xenconsoled')
        w(base + '/store/port', dom.store_port)
        w(base + '/store/ring-ref', dom.store_mfn)
        w(base + '/control/platform-feature-xs_reset_watches', 1)
        w(base + '/control/platform-feature-multiprocessor-suspend', 1)
        w(base + '/description', '')
        for cls, devid, extra in (
                ('vbd', 51712, (('params', '/dev/vg0/' + dom.name), ('type', 'phy'),
                                ('mode', 'w'), ('dev', 'hda' if dom.hvm else 'xvda'))),
                ('vif', 0, (('mac', dom.mac), ('bridge', 'xenbr0'), ('handle', 0)))):
            front = '%s/device/%s/%d' % (base, cls, devid)
            back = '/local/domain/0/backend/%s/%d/%d' % (cls, dom.domid, devid)
            w(front + '/backend', back)
            w(front + '/backend-id', 0)
            w(front + '/state', 4)
            w(back + '/domain', dom.name.encode('latin-1'))
            w(back + '/frontend', front)
            w(back + '/frontend-id', dom.domid)
            w(back + '/state', 4)
            w(back + '/online', 1)
            for key, value in extra:
                w(back + '/' + key, str(value).encode('latin-1'))

    # ---- migration records (read by the control endpoint)

    def new_record(self, role, **fields):
        rec = {'id': next(self._record_ids), 'role': role, 'started': time.time(),
               'result': 'running'}
        rec.update(fields)
        with self.lock:
            self.records.append(rec)
            del self.records[:-MAX_RECORDS]
        return rec

    def snapshot(self):
        with self.lock:
            return {'host': self.cfg.name, 'version': self.pers.version,
                    'total_memory': self.total_memory, 'free_memory': self.free_memory(),
                    'domains': [d.to_json() for _, d in sorted(self.domains.items())],
                    'faults': self.faults.as_dict(), 'hung_requests': len(self.hung)}
