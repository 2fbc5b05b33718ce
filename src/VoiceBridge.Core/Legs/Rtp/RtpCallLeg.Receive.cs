using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

/// <summary>The leg's inbound side: whose RTP it takes, audio to the jitter buffer, telephone-events, RTCP.</summary>
public sealed partial class RtpCallLeg
{
    private uint _latchedSsrc;
    private long _foreignPackets;
    private bool _inTimestampKnown;
    private uint _lastInTimestamp;
    private uint _lastCallTimestamp;
    private RtpReframer? _reframer;

    /// <summary>One inbound RTP datagram: audio to the jitter buffer, telephone-events to DTMF, the rest counted and dropped.</summary>
    private void OnRtp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var status = RtpPacket.TryParse(datagram, out var packet);
        lock (_gate)
        {
            if (status != RtpParseStatus.Ok)
            {
                if (_badPackets++ < 10)
                {
                    Log.BadRtp(_logger, _legName, CallId, from.ToString(), status.ToString());
                }

                return;
            }

            var audio = packet.PayloadType == _media.PayloadType;
            var events = !audio && packet.PayloadType == _media.TelephoneEventType;
            if ((audio || events) && !FromTheCaller(packet, from))
            {
                return;
            }

            if (audio)
            {
                OnAudio(packet);
            }
            else if (events)
            {
                OnTelephoneEvent(packet);
            }
            else if (_unknownPayloadType++ < 10)
            {
                Log.UnknownPayloadType(_logger, _legName, CallId, packet.PayloadType);
            }
        }
    }

    /// <summary>
    /// Symmetric RTP (RFC 4961): we answer where the caller's packets come from, which is right
    /// behind NAT. The first packet after an offer latches its source; after that only the offer's
    /// own address, or the latched stream (its SSRC) from a new port (a NAT rebinding), moves it.
    /// Any other source is a stranger injecting audio or taking ours (RFC 7362 section 6, "RTP
    /// bleed"): its packets are counted and dropped.
    /// </summary>
    private bool FromTheCaller(RtpPacket packet, IPEndPoint from)
    {
        if (_latched && from.Equals(_remote))
        {
            _latchedSsrc = packet.Ssrc;
            return true;
        }

        if (_latched && packet.Ssrc != _latchedSsrc && !from.Equals(_media.Remote))
        {
            if (_foreignPackets++ < 10)
            {
                Log.ForeignRtp(_logger, _legName, CallId, from.ToString(), packet.Ssrc, _remote.ToString());
            }

            return false;
        }

        if (_latched)
        {
            _relatches++;
        }

        _remote = from;
        _remoteRtcp = new IPEndPoint(from.Address, from.Port + 1);
        _latched = true;
        _latchedSsrc = packet.Ssrc;
        return true;
    }

    /// <summary>
    /// A 20 ms packet goes to the jitter buffer as it is; the first of any other duration (a 30 ms
    /// gateway, Opus at 60 ms) sends the stream through the <see cref="RtpReframer"/> from then on.
    /// </summary>
    private void OnAudio(RtpPacket packet)
    {
        if (!_media.Codec.TryDecode(packet.Payload, _inScratch, out var samples))
        {
            if (_wrongSizeFrames++ < 10)
            {
                Log.WrongFrameSize(_logger, _legName, CallId, packet.Payload.Length, _media.Codec.Name);
            }

            return;
        }

        var nowMs = NowMs();
        _received.OnPacket(packet.Ssrc, packet.SequenceNumber, packet.Timestamp, nowMs * (_media.Codec.ClockRate / 1000));
        var audio = _inScratch.AsSpan(0, samples);
        if (_media.Held)
        {
            // What a holding phone sends is its music on hold, not the caller's words: silence, in time.
            audio.Fill(G711.MuLawSilence);
        }

        if (_reframer is null && samples == CallClock.FrameSamples)
        {
            _jitterBuffer.Insert(packet.SequenceNumber, ToCallClock(packet.Timestamp), audio, nowMs);
        }
        else
        {
            if (_reframer is null)
            {
                _reframer = new RtpReframer(_jitterBuffer);
                Log.Reframing(_logger, _legName, CallId, samples / 8.0, _media.Codec.Name);
            }

            _reframer.Add(ToCallClock(packet.Timestamp), audio, nowMs);
        }

        _lastRtpTicks = _ticks;
        _mediaStarted = true;
    }

    /// <summary>
    /// The jitter buffer counts in 8 kHz samples; a 48 kHz stream's timestamps are scaled by following
    /// their forward steps, so the 32-bit wrap of either clock needs no special case.
    /// </summary>
    private uint ToCallClock(uint timestamp)
    {
        var ratio = _media.Codec.ClockRate / CallClock.SampleRate;
        if (ratio <= 1)
        {
            return timestamp;
        }

        if (!_inTimestampKnown)
        {
            _inTimestampKnown = true;
            _lastInTimestamp = timestamp;
            _lastCallTimestamp = timestamp / (uint)ratio;
            return _lastCallTimestamp;
        }

        var steps = (int)(timestamp - _lastInTimestamp) / ratio;
        var mapped = (uint)(_lastCallTimestamp + steps);
        if (steps > 0)
        {
            _lastInTimestamp += (uint)(steps * ratio);
            _lastCallTimestamp = mapped;
        }

        return mapped;
    }

    private void OnTelephoneEvent(RtpPacket packet)
    {
        if (!Dtmf4733.TryParse(packet.Payload, packet.Timestamp, out var dtmfEvent, out var error))
        {
            if (_badPackets++ < 10)
            {
                Log.BadRtp(_logger, _legName, CallId, _remote.ToString(), error ?? "bad telephone-event");
            }

            return;
        }

        _lastRtpTicks = _ticks;
        if (_dtmf.OnPacket(dtmfEvent, out var digit))
        {
            _dtmfDigits++;
            _digits.Add(digit);
        }
    }

    private void OnRtcp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        lock (_gate)
        {
            if (RtcpParser.TryParse(datagram, out var summary) == RtcpParseStatus.Ok)
            {
                _rtcpReceived++;
                if (summary.SenderInfo is { } sender)
                {
                    // The caller's sender report: our next report block carries LSR/DLSR, so it can measure round trip.
                    _received.OnSenderReport(sender.NtpTimestamp, NowMs() * (_media.Codec.ClockRate / 1000));
                }
            }
            else if (_badPackets++ < 10)
            {
                Log.BadRtp(_logger, _legName, CallId, from.ToString(), "malformed RTCP");
            }
        }
    }
}
