using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// Parses one client event (a whole WebSocket text message) for the provider simulator.
/// Never throws on bad input: returns false with a message naming the event type and the field, suitable
/// for an <c>invalid_request_error</c>. Unknown event types are errors; unknown fields are skipped.
/// Audio appends parse without allocating.
/// </summary>
public static class RealtimeClientParser
{
    private const string SupportedTypes =
        "session.update, input_audio_buffer.append, input_audio_buffer.commit, input_audio_buffer.clear, "
        + "conversation.item.create, conversation.item.truncate, response.create, response.cancel";

    [Flags]
    private enum Seen
    {
        None = 0,
        Audio = 1,
        ContentIndex = 2,
        AudioEndMs = 4,
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, RealtimeClientEvent into, out string? error)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Reset();
        try
        {
            var known = JsonRead.TryFindType(utf8, RealtimeWireNames.ClientEvents, out var type, out var name);
            into.Type = type;
            into.TypeName = name;
            if (!known)
            {
                throw new ProtocolFormatException($"unknown client event type; supported types are {SupportedTypes}");
            }

            var missing = MissingField(into, ReadFields(utf8, into));
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

    private static Seen ReadFields(ReadOnlySpan<byte> utf8, RealtimeClientEvent into)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        var seen = Seen.None;
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("event_id"u8))
            {
                into.EventIdSlot.Read(ref reader, "event_id");
            }
            else if (reader.ValueTextEquals("audio"u8))
            {
                JsonRead.RequiredStringToken(ref reader, "audio");
                seen |= into.AudioBuffer.TryDecode(ref reader) ? Seen.Audio : throw ParseFailure.BadBase64("audio");
            }
            else if (reader.ValueTextEquals("session"u8))
            {
                into.Session = SessionJson.Read(ref reader, utf8, requireType: true);
            }
            else if (reader.ValueTextEquals("item"u8))
            {
                JsonRead.Object(ref reader, "item");
                into.Item = Validate(ItemJson.Read(ref reader, "item", into.Ids));
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                into.ResponseInstructions = ReadResponseInstructions(ref reader);
            }
            else
            {
                seen |= ReadScalar(ref reader, into);
            }
        }

        JsonRead.End(ref reader);
        return seen;
    }

    private static Seen ReadScalar(ref Utf8JsonReader reader, RealtimeClientEvent into)
    {
        if (reader.ValueTextEquals("previous_item_id"u8))
        {
            into.PreviousItemId = into.Ids.Read(ref reader, "previous_item_id");
        }
        else if (reader.ValueTextEquals("item_id"u8))
        {
            into.ItemId = into.Ids.Read(ref reader, "item_id");
        }
        else if (reader.ValueTextEquals("response_id"u8))
        {
            into.ResponseId = into.Ids.Read(ref reader, "response_id");
        }
        else if (reader.ValueTextEquals("content_index"u8))
        {
            into.ContentIndex = JsonRead.Int32(ref reader, "content_index");
            return Seen.ContentIndex;
        }
        else if (reader.ValueTextEquals("audio_end_ms"u8))
        {
            into.AudioEndMs = JsonRead.Int32(ref reader, "audio_end_ms");
            return Seen.AudioEndMs;
        }
        else
        {
            JsonRead.Skip(ref reader);
        }

        return Seen.None;
    }

    private static string? ReadResponseInstructions(ref Utf8JsonReader reader)
    {
        string? instructions = null;
        if (!JsonRead.ObjectOrNull(ref reader, "response"))
        {
            return instructions;
        }

        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("instructions"u8))
            {
                instructions = JsonRead.String(ref reader, "instructions", "response");
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return instructions;
    }

    /// <summary>Holds a created item to what the real service requires of each item type.</summary>
    private static RealtimeItem Validate(RealtimeItem item)
    {
        var missing = item.Type switch
        {
            RealtimeItemType.Unknown => throw new ProtocolFormatException(
                "field 'item.type' must be message, function_call or function_call_output"),
            RealtimeItemType.Message when item.Role is null => "role",
            RealtimeItemType.FunctionCall when item.CallId is null => "call_id",
            RealtimeItemType.FunctionCall when item.Name is null => "name",
            RealtimeItemType.FunctionCall when item.Arguments is null => "arguments",
            RealtimeItemType.FunctionCallOutput when item.CallId is null => "call_id",
            RealtimeItemType.FunctionCallOutput when item.Output is null => "output",
            _ => null,
        };
        return missing is null ? item : throw JsonRead.Missing(missing, "item");
    }

    private static string? MissingField(RealtimeClientEvent e, Seen seen) => e.Type switch
    {
        RealtimeClientEventType.SessionUpdate when e.Session is null => "session",
        RealtimeClientEventType.InputAudioBufferAppend when (seen & Seen.Audio) == 0 => "audio",
        RealtimeClientEventType.ConversationItemCreate when e.Item is null => "item",
        RealtimeClientEventType.ConversationItemTruncate when e.ItemId is null => "item_id",
        RealtimeClientEventType.ConversationItemTruncate when (seen & Seen.ContentIndex) == 0 => "content_index",
        RealtimeClientEventType.ConversationItemTruncate when (seen & Seen.AudioEndMs) == 0 => "audio_end_ms",
        _ => null,
    };
}
