//! What each network namespace holds for MRC: its `net.mrc.*` sysctls, its
//! endpoint (counters in /proc/net/mrc_snmp) and the UDP tunnel socket that
//! feeds the endpoint, reopened when `net.mrc.udp_port` or
//! `net.mrc.udp_gro` changes.

use crate::control::Control;
use crate::endpoint::{Endpoint, Mib, Recipient};
use crate::ffi::bindings;
use crate::ffi::pernet::{Net, NetState};
use crate::ffi::proc::ProcFile;
use crate::ffi::sysctl::{IntKnob, Knobs, Sysctls};
use crate::ffi::udp::Tunnel;
use crate::proto::path::BURST_DEFAULT;
use core::sync::atomic::Ordering;
use kernel::prelude::*;
use kernel::sync::Arc;

/// What a new socket of the namespace starts with (`net.mrc.*`).
// A twin by shape only of sock/config.rs's `SockConfig` fields (deliberate):
// the namespace's defaults and one socket's settings.
pub(crate) struct Defaults {
    pub(crate) ack_timeout: u8,
    pub(crate) mpr: u8,
    pub(crate) ev_count: u16,
    /// SO_SNDBUF and SO_RCVBUF, bytes.
    pub(crate) wmem: i32,
    pub(crate) rmem: i32,
    /// NSCC's link rate (bytes/s) and base RTT (ns).
    pub(crate) cc_rate: u64,
    pub(crate) cc_base_rtt_ns: u64,
    /// Half-open connections a listener holds at once.
    pub(crate) max_half_open: u16,
    /// New data packets sent on one EV in a row.
    pub(crate) burst: u8,
}

/// The namespace's settings and the tunnel they shape.
#[pin_data]
pub(crate) struct Settings<S: Recipient> {
    net: Net,
    /// `net.mrc.udp_port`: the UDP port MRC packets are sent to and
    /// received on.
    udp_port: IntKnob,
    /// `net.mrc.udp_gro`: 1 (the default): the tunnel socket takes UDP
    /// GSO batches, a peer's bursts, whole (a queue round trip per
    /// datagram more); 0: UDP cuts them up before handing each datagram
    /// to its `encap_rcv`.
    udp_gro: IntKnob,
    /// `net.mrc.ack_timeout`: ACK timeout exponent (1.024 us << n).
    ack_timeout: IntKnob,
    /// `net.mrc.mpr`: receive reorder window, units of 128 PSNs.
    mpr: IntKnob,
    /// `net.mrc.ev_count`: EVs of the AUTO profile.
    ev_count: IntKnob,
    /// `net.mrc.wmem_default`, `net.mrc.rmem_default`: a new socket's
    /// SO_SNDBUF and SO_RCVBUF (whole messages are held: room for a few
    /// of the largest).
    wmem_default: IntKnob,
    rmem_default: IntKnob,
    /// `net.mrc.cc_rate_mbit`, `net.mrc.cc_base_rtt_us`: the path NSCC is
    /// configured for (its window bounds and targets derive from them)
    /// until CC profiles come from the controller.
    cc_rate_mbit: IntKnob,
    cc_base_rtt_us: IntKnob,
    /// `net.mrc.burst`: new data packets a connection sends on one EV in
    /// a row, handed to the stack as one segmentation-offload batch.
    burst: IntKnob,
    /// `net.mrc.mem`: pages of received messages the namespace holds at
    /// most: min, pressure, max (as `tcp_mem`). Under pressure a
    /// connection holding a message gets no room for another; at max no
    /// new message gets room. Data refused is not acked: the peer sends it
    /// again.
    mem: IntKnob,
    /// `net.mrc.max_orphans`: connections whose sockets were closed that
    /// may still be finishing; past it, a close resets at once.
    max_orphans: IntKnob,
    /// `net.mrc.max_half_open`: connections a listener holds half-open
    /// (accept sent, no answer yet) at once; a newer request displaces the
    /// oldest, so that forged requests cannot lock real ones out.
    max_half_open: IntKnob,
    /// `net.mrc.rx_ce_threshold_us`: a packet that waited longer than
    /// this for the namespace's receive work goes on marked Congestion
    /// Experienced (0: never).
    rx_ce_threshold_us: IntKnob,
    endpoint: Arc<Endpoint<S>>,
}

impl<S: Recipient> Settings<S> {
    /// (Re)opens the tunnel on the current `udp_port` and `udp_gro`. The
    /// old socket is closed first, so a write of the same port cannot
    /// collide with itself.
    fn open_tunnel(&self) {
        let port = self.udp_port.value.load(Ordering::Relaxed) as u16;
        let whole_batches = Self::get(&self.udp_gro) != 0;
        let opened = self
            .endpoint
            .reopen_tunnel(|| Tunnel::open(&self.net, port, self.endpoint.clone(), whole_batches));
        match opened {
            Ok(()) => {}
            Err(e) => {
                self.endpoint.count(Mib::TunnelOpenErrors);
                pr_err!(
                    "cannot open the MRC tunnel socket on UDP port {} (error {})\n",
                    port,
                    e.to_errno()
                );
            }
        }
    }
}

impl<S: Recipient> Settings<S> {
    /// Hands `net.mrc.mem`, `net.mrc.max_orphans` and
    /// `net.mrc.rx_ce_threshold_us` to the endpoint.
    fn apply_limits(&self) {
        self.endpoint
            .set_ce_threshold_us(Self::get(&self.rx_ce_threshold_us) as u64);
        self.endpoint
            .mem()
            .set_limits(self.mem.get(1), self.mem.get(2));
        self.endpoint
            .orphans()
            .set_max(Self::get(&self.max_orphans));
    }

    fn get(knob: &IntKnob) -> i32 {
        knob.value.load(Ordering::Relaxed)
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            ack_timeout: Self::get(&self.ack_timeout) as u8,
            mpr: Self::get(&self.mpr) as u8,
            ev_count: Self::get(&self.ev_count) as u16,
            wmem: Self::get(&self.wmem_default),
            rmem: Self::get(&self.rmem_default),
            cc_rate: (Self::get(&self.cc_rate_mbit) as u64).saturating_mul(125_000),
            cc_base_rtt_ns: (Self::get(&self.cc_base_rtt_us) as u64).saturating_mul(1000),
            max_half_open: Self::get(&self.max_half_open) as u16,
            burst: Self::get(&self.burst) as u8,
        }
    }
}

impl<S: Recipient> Knobs for Settings<S> {
    fn each(&self, f: &mut dyn FnMut(&IntKnob) -> Result) -> Result {
        for knob in [
            &self.udp_port,
            &self.udp_gro,
            &self.ack_timeout,
            &self.mpr,
            &self.ev_count,
            &self.wmem_default,
            &self.rmem_default,
            &self.cc_rate_mbit,
            &self.cc_base_rtt_us,
            &self.burst,
            &self.mem,
            &self.max_orphans,
            &self.max_half_open,
            &self.rx_ce_threshold_us,
        ] {
            f(knob)?;
        }
        Ok(())
    }

    fn changed(&self, knob: &IntKnob) {
        if core::ptr::eq(knob, &self.udp_port) || core::ptr::eq(knob, &self.udp_gro) {
            self.open_tunnel();
        } else if core::ptr::eq(knob, &self.mem)
            || core::ptr::eq(knob, &self.max_orphans)
            || core::ptr::eq(knob, &self.rx_ce_threshold_us)
        {
            self.apply_limits();
        }
    }
}

/// Per-namespace MRC state. Field order is drop order: the proc file and
/// the sysctls go before the endpoint they show and shape (so no write of
/// `net.mrc.udp_port` can reopen its tunnel once it is shut down), which
/// is shut down (its tunnel closed, its connections reset) before the
/// profiles its connections lease.
pub(crate) struct NetMrc<S: Recipient> {
    _snmp: ProcFile<Endpoint<S>>,
    _sysctls: Sysctls<Settings<S>>,
    endpoint: Running<S>,
    control: Arc<Control>,
}

/// The namespace's endpoint, shut down when dropped.
struct Running<S: Recipient>(Arc<Endpoint<S>>);

impl<S: Recipient> Drop for Running<S> {
    fn drop(&mut self) {
        self.0.shut_down();
    }
}

impl<S: Recipient> NetMrc<S> {
    /// What a new socket starts with.
    pub(crate) fn defaults(&self) -> Defaults {
        self._sysctls.defaults()
    }

    /// The namespace's controller state (profiles).
    pub(crate) fn control(&self) -> &Arc<Control> {
        &self.control
    }

    /// The namespace's endpoint.
    pub(crate) fn endpoint(&self) -> &Arc<Endpoint<S>> {
        &self.endpoint.0
    }
}

impl<S: Recipient> NetState for NetMrc<S> {
    fn new(net: &Net) -> Result<KBox<Self>> {
        let control = Control::new(net)?;
        let endpoint = Endpoint::new()?;
        let shown = endpoint.clone();
        let kept = endpoint.clone();
        let sysctls = Sysctls::register(
            net,
            try_pin_init!(Settings {
                net: net.clone(),
                udp_port: IntKnob::new(c"udp_port", bindings::MRC_UDP_PORT_DEFAULT as i32, 1, 65535),
                udp_gro: IntKnob::new(c"udp_gro", 1, 0, 1),
                ack_timeout: IntKnob::new(c"ack_timeout", 15, 0, 24),
                mpr: IntKnob::new(c"mpr", 16, 1, 64),
                ev_count: IntKnob::new(c"ev_count", 64, 1, 256),
                wmem_default: IntKnob::new(c"wmem_default", 8 << 20, 64 << 10, 256 << 20),
                rmem_default: IntKnob::new(c"rmem_default", 8 << 20, 64 << 10, 256 << 20),
                cc_rate_mbit: IntKnob::new(c"cc_rate_mbit", 1000, 1, 1_000_000),
                cc_base_rtt_us: IntKnob::new(c"cc_base_rtt_us", 2000, 1, 1_000_000),
                burst: IntKnob::new(c"burst", i32::from(BURST_DEFAULT), 1, 64),
                // 64, 128 and 256 MiB of 4 KiB pages.
                mem: IntKnob::vector(c"mem", &[16384, 32768, 65536], 0, i32::MAX),
                max_orphans: IntKnob::new(c"max_orphans", 4096, 0, i32::MAX),
                max_half_open: IntKnob::new(c"max_half_open", 1024, 1, 65535),
                rx_ce_threshold_us: IntKnob::new(c"rx_ce_threshold_us", 3000, 0, 1_000_000),
                endpoint,
            }? Error),
        )?;
        let snmp = ProcFile::create(net, c"mrc_snmp", shown)?;
        sysctls.apply_limits();
        sysctls.open_tunnel();
        // On failure the state is dropped, which shuts the endpoint down.
        Ok(KBox::new(
            Self {
                _snmp: snmp,
                _sysctls: sysctls,
                endpoint: Running(kept),
                control,
            },
            GFP_KERNEL,
        )?)
    }
}
