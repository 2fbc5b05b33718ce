using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Writes the GA <c>session</c> object (client update and server echo alike).</summary>
internal static partial class SessionJson
{
    /// <summary>Rejects a configuration that cannot be written (a tool schema that is not a JSON object), before any byte of the event is.</summary>
    public static void Validate(RealtimeSessionConfig session)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var tool in session.Tools)
        {
            try
            {
                using var schema = JsonDocument.Parse(tool.ParametersJsonSchema);
                if (schema.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException($"the parameters schema of tool '{tool.Name}' is not a JSON object", nameof(session));
                }
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"the parameters schema of tool '{tool.Name}' is not valid JSON: {ex.Message}", nameof(session), ex);
            }
        }
    }

    /// <summary>Writes a validated <c>"session":{...}</c>; <paramref name="sessionId"/> and <paramref name="model"/> only in server echoes.</summary>
    public static void Write(Utf8JsonWriter writer, RealtimeSessionConfig session, string? sessionId = null, string? model = null)
    {
        if (session.Type == RealtimeSessionType.Transcription)
        {
            WriteTranscription(writer, session, sessionId);
            return;
        }

        writer.WriteStartObject("session"u8);
        writer.WriteString("type"u8, "realtime"u8);
        if (sessionId is not null)
        {
            writer.WriteString("object"u8, "realtime.session"u8);
            writer.WriteString("id"u8, sessionId);
        }

        if (model is not null)
        {
            writer.WriteString("model"u8, model);
        }

        if (session.Instructions is not null)
        {
            writer.WriteString("instructions"u8, session.Instructions);
        }

        writer.WriteStartArray("output_modalities"u8);
        writer.WriteStringValue("audio"u8);
        writer.WriteEndArray();
        WriteAudio(writer, session);
        WriteTools(writer, session.Tools);
        writer.WriteString("tool_choice"u8, session.ToolChoice);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The GA transcription session: input audio settings only, and the transcript's token logprobs
    /// (<c>include</c>), from which a client derives a confidence.
    /// </summary>
    private static void WriteTranscription(Utf8JsonWriter writer, RealtimeSessionConfig session, string? sessionId)
    {
        writer.WriteStartObject("session"u8);
        writer.WriteString("type"u8, "transcription"u8);
        if (sessionId is not null)
        {
            writer.WriteString("object"u8, "realtime.transcription_session"u8);
            writer.WriteString("id"u8, sessionId);
        }

        writer.WriteStartObject("audio"u8);
        WriteInput(writer, session);
        writer.WriteEndObject();
        writer.WriteStartArray("include"u8);
        writer.WriteStringValue("item.input_audio_transcription.logprobs"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteAudio(Utf8JsonWriter writer, RealtimeSessionConfig session)
    {
        writer.WriteStartObject("audio"u8);
        WriteInput(writer, session);
        writer.WriteStartObject("output"u8);
        WriteFormat(writer, session.OutputFormat);
        writer.WriteString("voice"u8, session.Voice);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteInput(Utf8JsonWriter writer, RealtimeSessionConfig session)
    {
        writer.WriteStartObject("input"u8);
        WriteFormat(writer, session.InputFormat);
        WriteTurnDetection(writer, session.TurnDetection, session.Type);
        if (session.TranscriptionModel is null)
        {
            writer.WriteNull("transcription"u8);
        }
        else
        {
            writer.WriteStartObject("transcription"u8);
            writer.WriteString("model"u8, session.TranscriptionModel);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteFormat(Utf8JsonWriter writer, RealtimeAudioFormat format)
    {
        writer.WriteStartObject("format"u8);
        switch (format)
        {
            case RealtimeAudioFormat.Pcmu:
                writer.WriteString("type"u8, "audio/pcmu"u8);
                break;
            case RealtimeAudioFormat.Pcma:
                writer.WriteString("type"u8, "audio/pcma"u8);
                break;
            case RealtimeAudioFormat.Pcm24k:
                writer.WriteString("type"u8, "audio/pcm"u8);
                writer.WriteNumber("rate"u8, 24000);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }

        writer.WriteEndObject();
    }

    /// <summary>A transcription session creates no responses, so its turn detection has no response switches.</summary>
    private static void WriteTurnDetection(Utf8JsonWriter writer, RealtimeTurnDetection? turn, RealtimeSessionType type)
    {
        if (turn is null)
        {
            writer.WriteNull("turn_detection"u8);
            return;
        }

        writer.WriteStartObject("turn_detection"u8);
        writer.WriteString("type"u8, RealtimeWireNames.Vad(turn.Type));
        if (turn.Type == RealtimeVadType.ServerVad)
        {
            writer.WriteNumber("threshold"u8, turn.Threshold);
            writer.WriteNumber("prefix_padding_ms"u8, turn.PrefixPaddingMs);
            writer.WriteNumber("silence_duration_ms"u8, turn.SilenceDurationMs);
        }

        if (type == RealtimeSessionType.Realtime)
        {
            writer.WriteBoolean("create_response"u8, turn.CreateResponse);
            writer.WriteBoolean("interrupt_response"u8, turn.InterruptResponse);
        }

        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, IReadOnlyList<RealtimeToolDefinition> tools)
    {
        writer.WriteStartArray("tools"u8);
        foreach (var tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "function"u8);
            writer.WriteString("name"u8, tool.Name);
            writer.WriteString("description"u8, tool.Description);
            writer.WritePropertyName("parameters"u8);
            writer.WriteRawValue(tool.ParametersJsonSchema, skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
