using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// Parses one server event (a whole WebSocket text message) into a reusable <see cref="RealtimeServerEvent"/>.
/// Never throws on bad input: returns false with a message naming the event type and the field.
/// Unknown event types parse successfully as <see cref="RealtimeServerEventType.Unknown"/>; unknown fields are skipped.
/// Audio deltas parse without allocating.
/// </summary>
public static partial class RealtimeServerParser
{
    public static bool TryParse(ReadOnlySpan<byte> utf8, RealtimeServerEvent into, out string? error)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Reset();
        try
        {
            JsonRead.TryFindType(utf8, RealtimeWireNames.ServerEvents, out var type, out var name);
            into.Type = type;
            into.TypeName = name;
            var sawAudio = ReadFields(utf8, into);
            var missing = MissingField(into, sawAudio);
            if (missing is not null)
            {
                throw JsonRead.Missing(missing);
            }

            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ProtocolFormatException or InvalidOperationException)
        {
            error = ParseFailure.Describe(into.TypeName, ex);
            return false;
        }
    }

    /// <summary>Reads every top-level field; returns whether an audio delta was decoded.</summary>
    private static bool ReadFields(ReadOnlySpan<byte> utf8, RealtimeServerEvent into)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        var sawAudio = false;
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("event_id"u8))
            {
                into.EventIdSlot.Read(ref reader, "event_id");
            }
            else if (into.Type == RealtimeServerEventType.Unknown)
            {
                JsonRead.Skip(ref reader);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                sawAudio |= ReadDelta(ref reader, into);
            }
            else if (!ReadIdOrIndex(ref reader, into))
            {
                ReadBody(ref reader, utf8, into);
            }
        }

        JsonRead.End(ref reader);
        return sawAudio;
    }

    private static bool ReadDelta(ref Utf8JsonReader reader, RealtimeServerEvent into)
    {
        if (into.Type != RealtimeServerEventType.ResponseOutputAudioDelta)
        {
            into.Delta = JsonRead.String(ref reader, "delta");
            return false;
        }

        if (!JsonRead.StringToken(ref reader, "delta"))
        {
            return false;
        }

        return into.AudioBuffer.TryDecode(ref reader) ? true : throw ParseFailure.BadBase64("delta");
    }

    private static bool ReadIdOrIndex(ref Utf8JsonReader reader, RealtimeServerEvent into)
    {
        if (reader.ValueTextEquals("item_id"u8))
        {
            into.ItemId = into.Ids.Read(ref reader, "item_id");
        }
        else if (reader.ValueTextEquals("response_id"u8))
        {
            into.ResponseId = into.Ids.Read(ref reader, "response_id");
        }
        else if (reader.ValueTextEquals("output_index"u8))
        {
            into.OutputIndex = JsonRead.Int32(ref reader, "output_index");
        }
        else if (reader.ValueTextEquals("content_index"u8))
        {
            into.ContentIndex = JsonRead.Int32(ref reader, "content_index");
        }
        else if (reader.ValueTextEquals("previous_item_id"u8))
        {
            into.PreviousItemId = into.Ids.Read(ref reader, "previous_item_id");
        }
        else if (reader.ValueTextEquals("call_id"u8))
        {
            into.CallId = into.Ids.Read(ref reader, "call_id");
        }
        else if (reader.ValueTextEquals("name"u8))
        {
            into.Name = into.Ids.Read(ref reader, "name");
        }
        else if (reader.ValueTextEquals("audio_start_ms"u8))
        {
            into.AudioStartMs = JsonRead.Int32(ref reader, "audio_start_ms");
        }
        else if (reader.ValueTextEquals("audio_end_ms"u8))
        {
            into.AudioEndMs = JsonRead.Int32(ref reader, "audio_end_ms");
        }
        else
        {
            return false;
        }

        return true;
    }

    private static void ReadBody(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, RealtimeServerEvent into)
    {
        if (reader.ValueTextEquals("transcript"u8))
        {
            into.Transcript = JsonRead.String(ref reader, "transcript");
        }
        else if (reader.ValueTextEquals("arguments"u8))
        {
            into.Arguments = JsonRead.String(ref reader, "arguments");
        }
        else if (reader.ValueTextEquals("item"u8))
        {
            JsonRead.Object(ref reader, "item");
            into.Item = ItemJson.Read(ref reader, "item", into.Ids);
        }
        else if (reader.ValueTextEquals("error"u8))
        {
            into.Error = ReadError(ref reader);
        }
        else if (reader.ValueTextEquals("response"u8))
        {
            into.Response = ReadResponse(ref reader, into.Ids);
        }
        else if (reader.ValueTextEquals("session"u8))
        {
            into.Session = SessionJson.Read(ref reader, utf8, requireType: false).Values;
        }
        else if (reader.ValueTextEquals("logprobs"u8))
        {
            into.MeanLogprob = ReadMeanLogprob(ref reader);
        }
        else if (reader.ValueTextEquals("rate_limits"u8))
        {
            into.RateLimits = ReadRateLimits(ref reader);
        }
        else
        {
            JsonRead.Skip(ref reader);
        }
    }

    private static string? MissingField(RealtimeServerEvent e, bool sawAudio) => e.Type switch
    {
        RealtimeServerEventType.SessionCreated or RealtimeServerEventType.SessionUpdated when e.Session is null => "session",
        RealtimeServerEventType.Error or RealtimeServerEventType.InputAudioTranscriptionFailed when e.Error is null => "error",
        RealtimeServerEventType.ConversationItemAdded or RealtimeServerEventType.ConversationItemDone
            or RealtimeServerEventType.ResponseOutputItemAdded or RealtimeServerEventType.ResponseOutputItemDone when e.Item is null => "item",
        RealtimeServerEventType.ResponseCreated or RealtimeServerEventType.ResponseDone when e.Response is null => "response",
        RealtimeServerEventType.ResponseOutputAudioDelta when !sawAudio => "delta",
        RealtimeServerEventType.ResponseOutputAudioTranscriptDelta or RealtimeServerEventType.InputAudioTranscriptionDelta
            or RealtimeServerEventType.ResponseFunctionCallArgumentsDelta when e.Delta is null => "delta",
        RealtimeServerEventType.ResponseOutputAudioTranscriptDone
            or RealtimeServerEventType.InputAudioTranscriptionCompleted when e.Transcript is null => "transcript",
        RealtimeServerEventType.ResponseFunctionCallArgumentsDone when e.Arguments is null => "arguments",
        _ => null,
    };
}
