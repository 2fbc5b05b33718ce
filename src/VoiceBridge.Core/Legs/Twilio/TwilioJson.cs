using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Allocation-free JSON reading and writing shared by the Media Streams parsers and writers.
/// Readers return an error text (or null) instead of throwing; callers catch <see cref="JsonException"/>
/// only for JSON that is not well formed.
/// </summary>
internal static class TwilioJson
{
    private const int MaxQuoted = 64;
    private const int MaxReason = 200;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Sets the message's kind from its event name (the reader is on the name); false for a name this side does not know.</summary>
    public delegate bool EventReader<in T>(ref Utf8JsonReader reader, T into);

    /// <summary>Reads the root property the reader is on (its name) into the message, skipping one it does not take; the first problem, or null.</summary>
    public delegate string? PropertyReader<in T>(ref Utf8JsonReader reader, T into);

    public static Utf8JsonReader Reader(ReadOnlySpan<byte> utf8Json) => new(utf8Json, ReaderOptions);

    /// <summary>
    /// One Media Streams frame, whichever side wrote it: the root object's <c>event</c> read by
    /// <paramref name="readEvent"/> and its other properties by <paramref name="readProperty"/>, JSON
    /// that is not well formed named, a frame without an event refused, a known event checked by
    /// <paramref name="validate"/>, and an event this side does not know answered
    /// <see cref="TwilioParseStatus.UnknownEvent"/> (skipped by callers, never fatal).
    /// </summary>
    public static TwilioParseStatus ParseFrame<T>(
        ReadOnlySpan<byte> utf8Json, T into, EventReader<T> readEvent, PropertyReader<T> readProperty, Func<T, string?> validate, out string? error)
    {
        bool hasEvent = false;
        string? unknownEvent = null;
        Utf8JsonReader reader = Reader(utf8Json);
        try
        {
            error = OpenRoot(ref reader, utf8Json.Length);
            while (error is null && NextProperty(ref reader))
            {
                if (!reader.ValueTextEquals("event"u8))
                {
                    error = readProperty(ref reader, into);
                    continue;
                }

                reader.Read();
                hasEvent = true;
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = ReadString(ref reader, "event", out _);
                }
                else if (!readEvent(ref reader, into))
                {
                    unknownEvent = reader.GetString();
                }
            }

            if (error is null)
            {
                CloseRoot(ref reader);
            }
        }
        catch (JsonException ex)
        {
            error = Malformed(ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader checks a string's UTF-8 and escapes only when it is read.
            error = $"malformed JSON string: {ex.Message}";
        }

        error ??= !hasEvent ? "missing event" : unknownEvent is null ? validate(into) : null;
        if (error is not null)
        {
            return TwilioParseStatus.Invalid;
        }

        if (unknownEvent is null)
        {
            return TwilioParseStatus.Ok;
        }

        error = $"unknown event {Quote(unknownEvent)}";
        return TwilioParseStatus.UnknownEvent;
    }

    /// <summary>This thread's writer, reset onto <paramref name="output"/>; flush it when done.</summary>
    public static Utf8JsonWriter Writer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(output);
        writer.Reset(output);
        return writer;
    }

    /// <summary>Room on the stack for a short name's UTF-8 (<see cref="Utf8"/>).</summary>
    public const int StackNameBytes = 256;

    /// <summary><paramref name="text"/> as UTF-8 in <paramref name="scratch"/> when it fits, else in a new array.</summary>
    public static ReadOnlySpan<byte> Utf8(string text, Span<byte> scratch) =>
        Encoding.UTF8.GetMaxByteCount(text.Length) <= scratch.Length
            ? scratch[..Encoding.UTF8.GetBytes(text, scratch)]
            : Encoding.UTF8.GetBytes(text);

    /// <summary>Writes an integer as a JSON string, the way Twilio sends sequence numbers and timestamps.</summary>
    public static void WriteInt64AsString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int length);
        writer.WriteString(name, digits[..length]);
    }

    /// <summary>Reads past the root's opening brace; empty input and non-object roots are errors.</summary>
    public static string? OpenRoot(ref Utf8JsonReader reader, int length)
    {
        if (length == 0)
        {
            return "empty message";
        }

        reader.Read();
        return reader.TokenType == JsonTokenType.StartObject ? null : $"JSON root is {Describe(ref reader)}, expected an object";
    }

    /// <summary>Checks nothing but whitespace follows the root object; the reader throws otherwise.</summary>
    public static void CloseRoot(ref Utf8JsonReader reader) => reader.Read();

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    public static string? ExpectObject(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.StartObject ? null : $"{field} is {Describe(ref reader)}, expected an object";

    public static string? ExpectArray(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.StartArray ? null : $"{field} is {Describe(ref reader)}, expected an array";

    /// <summary>Reads an object of which one string property matters, e.g. <c>mark.name</c>; others are skipped.</summary>
    public static string? ReadObjectString(
        ref Utf8JsonReader reader, string objectField, ReadOnlySpan<byte> property, string field, out string? value)
    {
        value = null;
        string? error = ExpectObject(ref reader, objectField);
        while (error is null && NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(property))
            {
                reader.Read();
                error = ReadString(ref reader, field, out value);
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    /// <summary>
    /// Reads an object of which one string property matters (e.g. <c>mark.name</c>), unescaped into
    /// <paramref name="destination"/> without allocating; others are skipped. <paramref name="length"/>
    /// is -1 when the property is absent.
    /// </summary>
    public static string? ReadObjectUtf8(
        ref Utf8JsonReader reader, string objectField, ReadOnlySpan<byte> property, string field, Span<byte> destination, out int length)
    {
        length = -1;
        string? error = ExpectObject(ref reader, objectField);
        while (error is null && NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(property))
            {
                reader.Read();
                error = ReadUtf8(ref reader, field, destination, out length);
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    public static string? ReadString(ref Utf8JsonReader reader, string field, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return value is null ? $"{field} is {Describe(ref reader)}, expected a string" : null;
    }

    private static string? ReadUtf8(ref Utf8JsonReader reader, string field, Span<byte> destination, out int length)
    {
        length = -1;
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{field} is {Describe(ref reader)}, expected a string";
        }

        var sent = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (sent > destination.Length)
        {
            return $"{field} is longer than {destination.Length} bytes";
        }

        length = reader.CopyString(destination);
        return null;
    }

    /// <summary>Reads a string, keeping <paramref name="cache"/> (no allocation) when the text is unchanged.</summary>
    public static string? ReadCachedString(ref Utf8JsonReader reader, string field, ref string? cache)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{field} is {Describe(ref reader)}, expected a string";
        }

        if (cache is null || !reader.ValueTextEquals(cache))
        {
            cache = reader.GetString();
        }

        return null;
    }

    /// <summary>Reads an integer sent either as a JSON number or as a string of digits.</summary>
    public static string? ReadInt64(ref Utf8JsonReader reader, string field, out long value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value))
        {
            return null;
        }

        Span<byte> scratch = stackalloc byte[32];
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= scratch.Length)
        {
            ReadOnlySpan<byte> text = reader.ValueIsEscaped ? scratch[..reader.CopyString(scratch)] : reader.ValueSpan;
            if (Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length && text.Length > 0)
            {
                return null;
            }
        }

        return $"{field} is {Describe(ref reader)}, expected an integer";
    }

    public static string? ReadInt32(ref Utf8JsonReader reader, string field, out int? value)
    {
        string? error = ReadInt64(ref reader, field, out long wide);
        value = error is null && wide is >= int.MinValue and <= int.MaxValue ? (int)wide : null;
        return error ?? (value is null ? $"{field} is {wide}, out of range" : null);
    }

    /// <summary>
    /// Decodes a base64 string value straight into <paramref name="destination"/>. Escaped JSON text
    /// (e.g. <c>\/</c>) is unescaped through a pooled buffer first.
    /// </summary>
    public static string? ReadBase64(ref Utf8JsonReader reader, string field, byte[] destination, out int length)
    {
        length = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{field} is {Describe(ref reader)}, expected a base64 string";
        }

        if (!reader.ValueIsEscaped)
        {
            return Decode(reader.ValueSpan, field, destination, out length);
        }

        byte[] unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            return Decode(unescaped.AsSpan(0, reader.CopyString(unescaped)), field, destination, out length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(unescaped);
        }
    }

    /// <summary>Names what went wrong in JSON that is not well formed, with the byte offset.</summary>
    public static string Malformed(JsonException ex)
    {
        string reason = ex.Message;
        int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = Clip(cut > 0 ? reason[..cut] : reason, MaxReason);
        string where = ex.LineNumber is > 0
            ? $"line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}"
            : $"byte {ex.BytePositionInLine}";
        return $"malformed JSON at {where}: {reason}";
    }

    /// <summary>Quotes user text in error messages, clipped so a hostile frame cannot flood logs.</summary>
    public static string Quote(string? text) => text is null ? "null" : $"'{Clip(text)}'";

    private static string? Decode(ReadOnlySpan<byte> base64, string field, byte[] destination, out int length)
    {
        OperationStatus status = Base64.DecodeFromUtf8(base64, destination, out _, out length);
        if (status == OperationStatus.Done)
        {
            return length == 0 ? $"{field} is 0 bytes" : null;
        }

        length = 0;
        return status == OperationStatus.DestinationTooSmall && Base64.IsValid(base64, out int needed)
            ? $"{field} is {needed} bytes, more than the {destination.Length}-byte capacity"
            : $"{field} is not valid base64";
    }

    public static string Clip(string text, int max = MaxQuoted) =>
        text.Length <= max ? text : $"{text[..max]}... ({text.Length} chars)";

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => Quote(reader.GetString()),
        JsonTokenType.Number => Clip(Encoding.UTF8.GetString(reader.ValueSpan)),
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };
}
