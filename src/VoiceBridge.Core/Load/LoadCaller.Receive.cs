using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;

namespace VoiceBridge.Load;

internal sealed partial class LoadCaller
{
    /// <summary>
    /// What the bridge sends. Agent audio is "played" on the caller's clock: each message extends
    /// the time its buffer runs until; audio arriving after that, within the same reply, is late.
    /// </summary>
    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        var now = HopTag.NowMicros();
        if (TwilioOutboundParser.TryParse(utf8.Span, _message, out _) != TwilioParseStatus.Ok)
        {
            _measure.BadMessage();
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            switch (_message.Kind)
            {
                case TwilioOutboundKind.Media:
                    OnAgentAudio(_message.PayloadSpan, now);
                    break;
                case TwilioOutboundKind.Mark:
                    _marks.Enqueue((_message.MarkName ?? "", Math.Max(now, _playoutEndMicros)));
                    break;
                case TwilioOutboundKind.Clear:
                    _playoutEndMicros = now;
                    while (_marks.TryDequeue(out var mark))
                    {
                        EchoMark(mark.Name);
                    }

                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    private void OnAgentAudio(ReadOnlySpan<byte> audio, long now)
    {
        var frames = (audio.Length + CallClock.FrameSamples - 1) / CallClock.FrameSamples;
        var tagged = HopTag.TryRead(audio, out var stamp);
        if (tagged)
        {
            _measure.HopOut.Record(HopTag.ElapsedMicros(stamp, now));
        }
        else if (now > _playoutEndMicros && now - _playoutEndMicros < UnderrunWindowMicros && _replyStarted)
        {
            // The caller's buffer ran dry in the middle of a reply: this audio came too late to play on time.
            _measure.AgentFramesLate(frames);
        }

        if (!_replyStarted && _utteranceEndMicros > 0 && !_speaking)
        {
            _measure.FirstAudio.Record(now - _utteranceEndMicros);
        }

        _replyStarted = true;
        _measure.AgentFramesReceived(frames);
        _playoutEndMicros = Math.Max(_playoutEndMicros, now) + (audio.Length * 1_000_000L / CallClock.SampleRate);
    }
}
