using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Reads the GA <c>session</c> object; fields the codec does not model are skipped.</summary>
internal static partial class SessionJson
{
    private const string InputPath = "session.audio.input";
    private const string OutputPath = "session.audio.output";

    /// <summary>
    /// Reads the value of the <c>session</c> property the reader stands on. <paramref name="utf8"/> is the whole
    /// event, needed to copy tool parameter schemas verbatim. With <paramref name="requireType"/>,
    /// <c>session.type</c> must be present and be <c>realtime</c> or <c>transcription</c>, as the real service insists.
    /// </summary>
    public static RealtimeSessionUpdate Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, bool requireType)
    {
        var values = new RealtimeSessionConfig();
        var present = RealtimeSessionFields.None;
        var sawType = false;
        JsonRead.Object(ref reader, "session");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                sawType = true;
                if (JsonRead.StringToken(ref reader, "type", "session"))
                {
                    values = values with { Type = ReadType(ref reader, requireType) };
                }
            }
            else if (reader.ValueTextEquals("instructions"u8))
            {
                values = values with { Instructions = JsonRead.String(ref reader, "instructions", "session") };
                present |= RealtimeSessionFields.Instructions;
            }
            else if (reader.ValueTextEquals("audio"u8))
            {
                JsonRead.Object(ref reader, "audio", "session");
                values = ReadAudio(ref reader, values, ref present);
            }
            else if (reader.ValueTextEquals("tools"u8))
            {
                values = values with { Tools = ReadTools(ref reader, utf8) };
                present |= RealtimeSessionFields.Tools;
            }
            else if (reader.ValueTextEquals("tool_choice"u8))
            {
                values = values with { ToolChoice = JsonRead.RequiredString(ref reader, "tool_choice", "session") };
                present |= RealtimeSessionFields.ToolChoice;
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        if (requireType && !sawType)
        {
            throw JsonRead.Missing("type", "session");
        }

        return new RealtimeSessionUpdate(values, present);
    }

    /// <summary>The session type the reader stands on; an unknown one is an error when <paramref name="strict"/>, else realtime.</summary>
    private static RealtimeSessionType ReadType(ref Utf8JsonReader reader, bool strict) =>
        reader.ValueTextEquals("transcription"u8) ? RealtimeSessionType.Transcription
        : reader.ValueTextEquals("realtime"u8) || !strict ? RealtimeSessionType.Realtime
        : throw JsonRead.BadValue(ref reader, "type", "session", "'realtime' or 'transcription'");

    private static RealtimeSessionConfig ReadAudio(ref Utf8JsonReader reader, RealtimeSessionConfig values, ref RealtimeSessionFields present)
    {
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("input"u8))
            {
                JsonRead.Object(ref reader, "input", "session.audio");
                values = ReadInput(ref reader, values, ref present);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                JsonRead.Object(ref reader, "output", "session.audio");
                while (JsonRead.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("format"u8))
                    {
                        values = values with { OutputFormat = ReadFormat(ref reader, OutputPath) };
                        present |= RealtimeSessionFields.OutputFormat;
                    }
                    else if (reader.ValueTextEquals("voice"u8))
                    {
                        values = values with { Voice = JsonRead.RequiredString(ref reader, "voice", OutputPath) };
                        present |= RealtimeSessionFields.Voice;
                    }
                    else
                    {
                        JsonRead.Skip(ref reader);
                    }
                }
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return values;
    }

    private static RealtimeSessionConfig ReadInput(ref Utf8JsonReader reader, RealtimeSessionConfig values, ref RealtimeSessionFields present)
    {
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("format"u8))
            {
                values = values with { InputFormat = ReadFormat(ref reader, InputPath) };
                present |= RealtimeSessionFields.InputFormat;
            }
            else if (reader.ValueTextEquals("turn_detection"u8))
            {
                values = values with { TurnDetection = ReadTurnDetection(ref reader) };
                present |= RealtimeSessionFields.TurnDetection;
            }
            else if (reader.ValueTextEquals("transcription"u8))
            {
                values = values with { TranscriptionModel = ReadTranscriptionModel(ref reader) };
                present |= RealtimeSessionFields.Transcription;
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return values;
    }

    private static RealtimeAudioFormat ReadFormat(ref Utf8JsonReader reader, string parent)
    {
        RealtimeAudioFormat? format = null;
        int? rate = null;
        JsonRead.Object(ref reader, "format", parent);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                JsonRead.RequiredStringToken(ref reader, "format.type", parent);
                format = reader.ValueTextEquals("audio/pcmu"u8) ? RealtimeAudioFormat.Pcmu
                    : reader.ValueTextEquals("audio/pcma"u8) ? RealtimeAudioFormat.Pcma
                    : reader.ValueTextEquals("audio/pcm"u8) ? RealtimeAudioFormat.Pcm24k
                    : throw JsonRead.BadValue(ref reader, "format.type", parent, "audio/pcmu, audio/pcma or audio/pcm");
            }
            else if (reader.ValueTextEquals("rate"u8))
            {
                rate = JsonRead.Int32(ref reader, "format.rate", parent);
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        if (format is null)
        {
            throw JsonRead.Missing("format.type", parent);
        }

        if (format == RealtimeAudioFormat.Pcm24k && rate is not (null or 24000))
        {
            throw new ProtocolFormatException($"field '{parent}.format.rate' must be 24000, found {rate}");
        }

        return format.Value;
    }

    private static RealtimeTurnDetection? ReadTurnDetection(ref Utf8JsonReader reader)
    {
        const string path = InputPath + ".turn_detection";
        if (!JsonRead.ObjectOrNull(ref reader, "turn_detection", InputPath))
        {
            return null;
        }

        var turn = new RealtimeTurnDetection();
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                JsonRead.RequiredStringToken(ref reader, "type", path);
                turn = turn with
                {
                    Type = RealtimeWireNames.Vad(ref reader) ?? throw JsonRead.BadValue(ref reader, "type", path, "server_vad or semantic_vad"),
                };
            }
            else if (reader.ValueTextEquals("threshold"u8))
            {
                turn = turn with { Threshold = JsonRead.Double(ref reader, "threshold", path) };
            }
            else if (reader.ValueTextEquals("prefix_padding_ms"u8))
            {
                turn = turn with { PrefixPaddingMs = JsonRead.Int32(ref reader, "prefix_padding_ms", path) };
            }
            else if (reader.ValueTextEquals("silence_duration_ms"u8))
            {
                turn = turn with { SilenceDurationMs = JsonRead.Int32(ref reader, "silence_duration_ms", path) };
            }
            else if (reader.ValueTextEquals("create_response"u8))
            {
                turn = turn with { CreateResponse = JsonRead.Boolean(ref reader, "create_response", path) };
            }
            else if (reader.ValueTextEquals("interrupt_response"u8))
            {
                turn = turn with { InterruptResponse = JsonRead.Boolean(ref reader, "interrupt_response", path) };
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return turn;
    }

    private static string? ReadTranscriptionModel(ref Utf8JsonReader reader)
    {
        if (!JsonRead.ObjectOrNull(ref reader, "transcription", InputPath))
        {
            return null;
        }

        string? model = null;
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("model"u8))
            {
                model = JsonRead.String(ref reader, "model", InputPath + ".transcription");
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return model;
    }
}
