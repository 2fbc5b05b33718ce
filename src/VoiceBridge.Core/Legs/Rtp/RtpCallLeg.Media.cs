using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

public sealed partial class RtpCallLeg
{
    private const int MaxCatchUpFrames = 5;
    private const long FrameTicks = CallClock.FrameMs * TimeSpan.TicksPerMillisecond;
    private const int RtcpEveryFrames = 250;
    private const int MaxPacket = 12 + 15 * 4 + 1500;
    private const int DtmfGapFrames = 3;

    private readonly JitterBuffer _jitterBuffer;
    private readonly RtpReceiverStatistics _received;
    private readonly DtmfReceiver _dtmf = new();
    private readonly TimeSpan _rtpTimeout;
    private readonly uint _ssrc;
    private readonly byte[] _inFrame = new byte[CallClock.FrameSamples];
    private readonly byte[] _inScratch = new byte[RtpReframer.MaxPacketSamples];
    private readonly byte[] _outFrame = new byte[CallClock.FrameSamples];
    private readonly byte[] _outPayload;
    private readonly byte[] _outPacket = new byte[MaxPacket + IRtpTransport.SendReserve];
    private readonly byte[] _rtcpPacket = new byte[512 + IRtpTransport.SendReserve];
    private readonly List<PlayoutMark> _marksToReport = [];
    private readonly List<char> _digits = [];
    private readonly List<char> _digitsToReport = [];
    private readonly Queue<char> _digitsToSend = new();
    private readonly DtmfSender _dtmfOut;
    private int _dtmfGapTicks;
    private IPEndPoint _remote;
    private IPEndPoint _remoteRtcp;
    private bool _latched;
    private bool _mediaStarted;
    private bool _timedOut;
    private bool _heldReported;
    private long _lastRtpTicks;
    private long _ticks;
    private ushort _sequence;
    private uint _timestamp;
    private long _packetsSent;
    private long _octetsSent;
    private long _audioFramesSent;
    private long _badPackets;
    private long _unknownPayloadType;
    private long _wrongSizeFrames;
    private long _dtmfDigits;
    private long _dtmfDigitsSent;
    private long _rtcpReceived;
    private long _relatches;

    /// <summary>
    /// The leg's clock: one RTP packet out and one caller frame in per 20 ms. A late timer (a loaded
    /// machine) is caught up by up to five frames, so the outbound packet rate stays right.
    /// </summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(CallClock.FrameMs), _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var due = FramesDue(_time.GetElapsedTime(start));
            _ticks = Math.Max(_ticks, due - MaxCatchUpFrames);
            while (_ticks < due)
            {
                _ticks++;
                await TickAsync();
            }
        }
    }

    /// <summary>
    /// Ticks of the 20 ms period that have come <paramref name="elapsed"/> after the clock started,
    /// counting one less than half a period away as come: a timer firing a little early (they do, by
    /// a fraction of a millisecond against the clock) must not hold its packet back to go out next
    /// tick beside the next one, 20 ms late.
    /// </summary>
    internal static long FramesDue(TimeSpan elapsed) => (elapsed.Ticks + (FrameTicks / 2)) / FrameTicks;

    private async ValueTask TickAsync()
    {
        bool deliver;
        bool held;
        lock (_gate)
        {
            SendFrame();
            deliver = _mediaStarted;
            held = _media.Held;
            if (deliver)
            {
                _reframer?.Flush(NowMs());
                _jitterBuffer.Pop(_inFrame, NowMs());
            }

            _marksToReport.AddRange(_dueMarks);
            _dueMarks.Clear();
            _digitsToReport.AddRange(_digits);
            _digits.Clear();
            if (_ticks % RtcpEveryFrames == 0)
            {
                SendRtcp();
            }
        }

        var session = _session!;
        if (held != _heldReported)
        {
            _heldReported = held;
            await session.OnHoldAsync(held);
        }

        if (deliver)
        {
            await session.OnCallerAudioAsync(_inFrame);
        }

        foreach (var mark in _marksToReport)
        {
            await session.OnMarkAsync(mark);
        }

        foreach (var digit in _digitsToReport)
        {
            await session.OnDtmfAsync(digit.ToString());
        }

        _marksToReport.Clear();
        _digitsToReport.Clear();
        CheckRtpTimeout();
    }

    /// <summary>One outbound packet: a digit's telephone-event, else the next agent frame, or silence, so the stream never pauses (carriers end calls whose RTP stops).</summary>
    private void SendFrame()
    {
        var units = (uint)_media.Codec.TimestampUnitsPerFrame;
        if (_media.Send && SendDigitPacket())
        {
            _timestamp += units;
            return;
        }

        // On hold the agent's audio stays queued here (marks unplayed) until the caller is back.
        var audio = !_media.Held && TakeFrame(_outFrame);
        if (!audio)
        {
            _outFrame.AsSpan().Fill(G711.MuLawSilence);
        }

        if (_media.Send)
        {
            var payloadLength = _media.Codec.Encode(_outFrame, _outPayload);
            var length = RtpPacket.Write(_outPacket, _media.PayloadType, _packetsSent == 0, _sequence, _timestamp, _ssrc, _outPayload.AsSpan(0, payloadLength));
            _transport.SendRtp(_outPacket, length, _remote);
            _sequence++;
            _packetsSent++;
            _octetsSent += payloadLength;
            _audioFramesSent += audio ? 1 : 0;
        }

        _timestamp += units;
    }

    /// <summary>
    /// RFC 4733 2.5.1: while a digit plays, its event packets (all with the event's start
    /// timestamp) replace audio; a gap of silence separates digits. True when this tick's packet was a digit's.
    /// </summary>
    private bool SendDigitPacket()
    {
        if (_media.TelephoneEventType is not { } eventType)
        {
            // A new offer without telephone-event came while keys were queued: they cannot be sent.
            _digitsToSend.Clear();
            return false;
        }

        if (!_dtmfOut.IsActive)
        {
            if (_dtmfGapTicks > 0)
            {
                _dtmfGapTicks--;
                return false;
            }

            if (!_digitsToSend.TryDequeue(out var digit))
            {
                return false;
            }

            _dtmfOut.Start(digit, _timestamp);
        }

        Span<byte> payload = stackalloc byte[4];
        if (!_dtmfOut.TryNextPacket(payload, out var marker, out var eventTimestamp))
        {
            return false;
        }

        var length = RtpPacket.Write(_outPacket, eventType, marker, _sequence, eventTimestamp, _ssrc, payload);
        _transport.SendRtp(_outPacket, length, _remote);
        _sequence++;
        _packetsSent++;
        _octetsSent += payload.Length;
        if (!_dtmfOut.IsActive)
        {
            _dtmfDigitsSent++;
            _dtmfGapTicks = DtmfGapFrames;
        }

        return true;
    }

    private void SendRtcp()
    {
        var ntp = NtpTimestamp(_time.GetUtcNow());
        var length = _packetsSent > 0
            ? RtcpWriter.WriteSenderReport(_rtcpPacket, _ssrc, ntp, _timestamp, (uint)_packetsSent, (uint)_octetsSent, _received.ReportBlock(), CallId)
            : RtcpWriter.WriteReceiverReport(_rtcpPacket, _ssrc, _received.ReportBlock(), CallId);
        _transport.SendRtcp(_rtcpPacket, length, _remoteRtcp);
    }

    /// <summary>
    /// Hangs up a call whose caller has sent no RTP for the timeout, unless the call is on hold (we
    /// do not send, or do not receive): a held phone owes no audio (RFC 3264 section 8.4), and music
    /// on hold is optional.
    /// </summary>
    private void CheckRtpTimeout()
    {
        var limitTicks = (long)(_rtpTimeout.TotalMilliseconds / CallClock.FrameMs);
        if (_timedOut || limitTicks <= 0 || !_media.Receive || !_media.Send || _ticks - _lastRtpTicks < limitTicks)
        {
            return;
        }

        _timedOut = true;
        Log.RtpTimeout(_logger, _legName, CallId, (long)_rtpTimeout.TotalSeconds);
        _control.HangUp($"no RTP from the caller for {_rtpTimeout.TotalSeconds:0} s");
    }

    private long NowMs() => (long)_time.GetElapsedTime(0).TotalMilliseconds;

    /// <summary>NTP format (RFC 3550 4): seconds since 1900 in the high word, the fraction in the low.</summary>
    private static ulong NtpTimestamp(DateTimeOffset now)
    {
        var sinceEpoch = now - new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var seconds = (ulong)sinceEpoch.Ticks / TimeSpan.TicksPerSecond;
        var fraction = ((ulong)sinceEpoch.Ticks % TimeSpan.TicksPerSecond << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    private RtpMediaFigures Figures()
    {
        lock (_gate)
        {
            var jitter = _jitterBuffer.Stats;
            return new RtpMediaFigures(
                _ssrc, RtpPort, _packetsSent, _audioFramesSent, _received.Received, _badPackets + _transport.OversizeDatagrams, _unknownPayloadType, _wrongSizeFrames, _dtmfDigits, _dtmfDigitsSent, _rtcpReceived, _relatches, _foreignPackets,
                jitter.TargetDelayMs, jitter.ConcealedMs, jitter.LatePackets, jitter.DuplicatePackets, jitter.DiscardedPackets, OverflowFrames);
        }
    }
}
