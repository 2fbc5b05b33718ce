using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;

namespace VoiceBridge.Replay;

public sealed partial class FakeTwilioCaller
{
    private readonly Queue<Buffered> _playback = new();
    private readonly TwilioOutboundMessage _message = new();
    private readonly byte[] _agentFrame = new byte[CallClock.FrameSamples];
    private long _framesReceived;
    private long _oddPayloads;
    private long _marksPlayed;
    private long _marksFlushed;
    private long _clears;

    protected override bool AgentAudioBuffered => _playback.Any(b => b.Audio is not null);

    /// <summary>What the bridge sends: audio to buffer, marks to echo once played, clear to flush.</summary>
    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        var status = TwilioOutboundParser.TryParse(utf8.Span, _message, out var error);
        if (status != TwilioParseStatus.Ok)
        {
            AddError($"bad message from the bridge: {error}");
            return ValueTask.CompletedTask;
        }

        lock (Gate)
        {
            switch (_message.Kind)
            {
                case TwilioOutboundKind.Media:
                    _framesReceived++;
                    if (_message.PayloadLength != CallClock.FrameSamples)
                    {
                        _oddPayloads++;
                    }

                    _playback.Enqueue(new Buffered(_message.PayloadSpan.ToArray(), null));
                    break;
                case TwilioOutboundKind.Mark:
                    _playback.Enqueue(new Buffered(null, _message.MarkName));
                    EchoPlayedMarks();
                    break;
                case TwilioOutboundKind.Clear:
                    _clears++;
                    FlushOnClear();
                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Plays up to one frame of buffered agent audio into the caller's ear.</summary>
    protected override void PlayOneFrame()
    {
        lock (Gate)
        {
            var filled = 0;
            while (filled < _agentFrame.Length && _playback.TryPeek(out var head) && head.Audio is not null)
            {
                var n = Math.Min(head.Audio.Length - head.Offset, _agentFrame.Length - filled);
                head.Audio.AsSpan(head.Offset, n).CopyTo(_agentFrame.AsSpan(filled));
                head.Offset += n;
                filled += n;
                if (head.Offset == head.Audio.Length)
                {
                    _playback.Dequeue();
                }

                EchoPlayedMarks();
            }

            if (filled > 0)
            {
                _agentFrame.AsSpan(filled).Fill(G711.MuLawSilence);
            }

            Hear(_agentFrame.AsSpan(0, filled > 0 ? _agentFrame.Length : 0));
        }
    }

    private void EchoPlayedMarks()
    {
        while (_playback.TryPeek(out var head) && head.Mark is not null)
        {
            _playback.Dequeue();
            _marksPlayed++;
            EchoMark(head.Mark);
        }
    }

    /// <summary>Twilio drops buffered audio on clear and returns the pending marks.</summary>
    private void FlushOnClear()
    {
        while (_playback.TryDequeue(out var entry))
        {
            if (entry.Mark is not null)
            {
                _marksFlushed++;
                EchoMark(entry.Mark);
            }
        }
    }

    private void EchoMark(string name) =>
        Send(w => TwilioCarrierWriter.WriteMark(w, ++_sequence, Options.StreamSid, name));

    private sealed class Buffered(byte[]? audio, string? mark)
    {
        public byte[]? Audio { get; } = audio;

        public string? Mark { get; } = mark;

        public int Offset { get; set; }
    }
}
