using System.Net;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

public sealed partial class FakeSipCaller
{
    private readonly Random _random;
    private readonly JitterBuffer _heard = new(new JitterBufferOptions());
    private readonly byte[] _packet = new byte[12 + RtpReframer.MaxPacketSamples];
    private readonly byte[] _unsent = new byte[RtpReframer.MaxPacketSamples + CallClock.FrameSamples];
    private int _unsentCount;
    private uint _unsentTimestamp;
    private long _audioPacketsSent;
    private readonly byte[] _agentFrame = new byte[CallClock.FrameSamples];
    private readonly byte[] _alaw = new byte[CallClock.FrameSamples];
    private readonly byte[] _converted = new byte[CallClock.FrameSamples];
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly HashSet<uint> _ssrcs = [];
    private IDatagramSocket? _rtp;
    private IPEndPoint? _agentRtp;
    private byte _payloadType;
    private byte[]? _held;
    private ushort _sequence;
    private long _packetsReceived;
    private long _oddPayloads;
    private long _sequenceGaps;
    private long _timestampJumps;
    private long _firstSequence = -1;
    private ushort _lastSequence;
    private long _lastAudioSequence = -1;
    private readonly DtmfSender _keys = new();
    private readonly Queue<char> _keysToPress = new();
    private readonly DtmfReceiver _keysHeard = new();
    private readonly System.Text.StringBuilder _digitsHeard = new();
    private byte? _telephoneEvent;
    private uint _lastTimestamp;
    private volatile bool _endedByBridge;
    private string? _referredTo;

    /// <summary>The bridge sends a telephone-event-free G.711 stream with silence when idle: a quiet frame is not a dropout here.</summary>
    protected override bool DetectsDropouts => false;

    /// <summary>The bridge paces its RTP in real time: nothing waits here beyond the jitter buffer's few frames, so quiet means the agent is quiet.</summary>
    protected override bool AgentAudioBuffered => false;

    /// <summary>One caller frame as RTP, through the impairments: dropped, delayed, or held behind the next.</summary>
    protected override void SendCallerFrame(ReadOnlySpan<byte> frame, long tick)
    {
        if (_agentRtp is null || _endedByBridge)
        {
            return;
        }

        var payload = frame;
        if (_payloadType == 8)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                _alaw[i] = G711.LinearToALaw(G711.MuLawToLinear(frame[i]));
            }

            payload = _alaw;
        }

        var timestamp = (uint)((tick - 1) * CallClock.FrameSamples);
        if (_telephoneEvent is { } eventType && (_keys.IsActive || _keysToPress.Count > 0))
        {
            // RFC 4733: while a key is down its event packets replace the audio.
            _unsentCount = 0;
            if (!_keys.IsActive)
            {
                _keys.Start(_keysToPress.Dequeue(), timestamp);
            }

            Span<byte> eventPayload = stackalloc byte[4];
            if (_keys.TryNextPacket(eventPayload, out var eventMarker, out var eventTimestamp))
            {
                var eventLength = RtpPacket.Write(_packet, eventType, eventMarker, _sequence++, eventTimestamp, _ssrc, eventPayload);
                SendLater(_packet.AsSpan(0, eventLength).ToArray());
                return;
            }
        }

        // Packets of the chosen duration (the replay's --ptime): 20 ms frames gathered, or cut in two.
        if (_unsentCount == 0)
        {
            _unsentTimestamp = timestamp;
        }

        payload.CopyTo(_unsent.AsSpan(_unsentCount));
        _unsentCount += payload.Length;
        var packetSamples = _impairments.PacketMs * CallClock.SampleRate / 1000;
        while (_unsentCount >= packetSamples)
        {
            SendAudioPacket(_unsent.AsSpan(0, packetSamples), _unsentTimestamp);
            _unsent.AsSpan(packetSamples, _unsentCount - packetSamples).CopyTo(_unsent);
            _unsentCount -= packetSamples;
            _unsentTimestamp += (uint)packetSamples;
        }
    }

    private void SendAudioPacket(ReadOnlySpan<byte> payload, uint timestamp)
    {
        var length = RtpPacket.Write(_packet, _payloadType, _audioPacketsSent++ == 0, _sequence++, timestamp, _ssrc, payload);
        var packet = _packet.AsSpan(0, length).ToArray();
        if (_random.NextDouble() * 100 < _impairments.LossPercent)
        {
            return;
        }

        if (_held is null && _random.NextDouble() * 100 < _impairments.ReorderPercent)
        {
            _held = packet;
            return;
        }

        SendLater(packet);
        if (_held is { } held)
        {
            _held = null;
            SendLater(held);
        }
    }

    private void SendLater(byte[] packet)
    {
        var delay = _impairments.JitterMs > 0 ? _random.Next(_impairments.JitterMs + 1) : 0;
        if (delay == 0)
        {
            _rtp!.Send(packet, _agentRtp!);
            return;
        }

        ITimer? timer = null;
        timer = Time.CreateTimer(
            _ =>
            {
                _rtp!.Send(packet, _agentRtp!);
                timer?.Dispose();
            },
            null,
            TimeSpan.FromMilliseconds(delay),
            Timeout.InfiniteTimeSpan);
    }

    private void OnRtp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (RtpPacket.TryParse(datagram, out var packet) != RtpParseStatus.Ok)
        {
            AddError($"bad RTP from the bridge ({datagram.Length} bytes)");
            return;
        }

        lock (Gate)
        {
            _packetsReceived++;
            _ssrcs.Add(packet.Ssrc);
            // Loopback keeps order: every packet is the one after the last; audio is 160 samples on per packet.
            if (_firstSequence >= 0)
            {
                _sequenceGaps += packet.SequenceNumber == (ushort)(_lastSequence + 1) ? 0 : 1;
            }

            _firstSequence = _firstSequence < 0 ? packet.SequenceNumber : _firstSequence;
            _lastSequence = packet.SequenceNumber;
            if (packet.PayloadType == _telephoneEvent)
            {
                if (Dtmf4733.TryParse(packet.Payload, packet.Timestamp, out var key, out _) && _keysHeard.OnPacket(key, out var digit))
                {
                    _digitsHeard.Append(digit);
                }

                return;
            }

            if (_lastAudioSequence >= 0)
            {
                var packets = (ushort)(packet.SequenceNumber - (ushort)_lastAudioSequence);
                _timestampJumps += packet.Timestamp == _lastTimestamp + (uint)(packets * CallClock.FrameSamples) ? 0 : 1;
            }

            _lastAudioSequence = packet.SequenceNumber;
            _lastTimestamp = packet.Timestamp;
            if (packet.Payload.Length != CallClock.FrameSamples)
            {
                _oddPayloads++;
                return;
            }

            ReadOnlySpan<byte> mulaw = packet.Payload;
            if (packet.PayloadType == 8)
            {
                for (var i = 0; i < mulaw.Length; i++)
                {
                    _converted[i] = G711.LinearToMuLaw(G711.ALawToLinear(mulaw[i]));
                }

                mulaw = _converted;
            }

            _heard.Insert(packet.SequenceNumber, packet.Timestamp, mulaw, (long)Time.GetElapsedTime(0).TotalMilliseconds);
        }
    }

    /// <summary>What the caller hears this tick: the jitter buffer's next frame; digital silence (the bridge's idle fill) and concealment are heard as nothing.</summary>
    protected override void PlayOneFrame()
    {
        lock (Gate)
        {
            if (_firstSequence < 0)
            {
                Hear([]);
                return;
            }

            var kind = _heard.Pop(_agentFrame, (long)Time.GetElapsedTime(0).TotalMilliseconds);
            // A frame the phone's own jitter buffer concealed (a repeat of the last one, fading) is not
            // the bridge's audio: heard as nothing, so it never counts as agent audio played twice.
            var audible = kind == JitterFrameKind.Normal && _agentFrame.AsSpan().ContainsAnyExcept(G711.MuLawSilence, (byte)0x7F);
            Hear(audible ? _agentFrame : []);
        }
    }

    /// <summary>A key pressed as RFC 4733 events (the bridge's answer must have agreed telephone-event).</summary>
    protected override void SendDigit(char digit)
    {
        if (_telephoneEvent is null)
        {
            base.SendDigit(digit);
            return;
        }

        _keysToPress.Enqueue(digit);
    }

    private void OnBridgeRequest(SipMessage request)
    {
        if (request.Method == "BYE")
        {
            _endedByBridge = true;
        }
        else if (request.Method == "REFER")
        {
            _referredTo = request.Headers.Get("Refer-To");
        }
    }

    private FakeRtpObservation Observed()
    {
        lock (Gate)
        {
            return new FakeRtpObservation(_ssrcs.Count, _packetsReceived, _sequenceGaps, _timestampJumps, _heard.Stats.ConcealedMs, _referredTo, _digitsHeard.ToString());
        }
    }
}

/// <summary>What a fake SIP caller saw of the bridge's RTP: one SSRC and no gaps or jumps is a continuous stream.</summary>
public sealed record FakeRtpObservation(int Ssrcs, long Packets, long SequenceGaps, long TimestampJumps, long ConcealedMs, string? ReferredTo, string DigitsHeard = "");
