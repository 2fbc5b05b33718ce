using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// Writes one event object with this thread's cached <see cref="Utf8JsonWriter"/>, so building an event allocates
/// nothing. The constructor opens the object with <c>type</c> (and <c>event_id</c> when given);
/// <see cref="Complete"/> closes it and commits it to the output. The writer may commit early when the output
/// grows, so callers validate their arguments before starting an event.
/// </summary>
internal readonly ref struct EventJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? cached;

    public EventJsonWriter(IBufferWriter<byte> output, ReadOnlySpan<byte> type, string? eventId)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = cached;
        cached = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, Options);
        }
        else
        {
            writer.Reset(output);
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, type);
        if (eventId is not null)
        {
            writer.WriteString("event_id"u8, eventId);
        }

        Json = writer;
    }

    public Utf8JsonWriter Json { get; }

    /// <summary>Closes the event object, commits it to the output and hands the writer back to the thread cache.</summary>
    public void Complete()
    {
        Json.WriteEndObject();
        Json.Flush();
        Json.Reset(Detached);
        cached = Json;
    }
}
