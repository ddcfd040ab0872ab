// json_schema: checks tool arguments against the tool's own `inputSchema`,
// so the schema the model reads and the check the bridge applies cannot
// drift apart. Supports the subset the tool table uses: type (object,
// string, integer, number, boolean, array), properties, required,
// additionalProperties:false, enum, minLength/maxLength, minimum/maximum,
// items, maxItems; a property schema without `type` accepts any JSON.
//
// Recursion follows the schema, never the instance, so a hostile argument
// cannot drive it deeper than our own schemas go. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace nexus::mcp {

/// nullopt when `instance` satisfies `schema`; otherwise one readable line
/// naming the first offending argument ("argument 'to' must be a string").
std::optional<std::string> schema_violation(const rapidjson::Value& schema,
                                            const rapidjson::Value& instance);

} // namespace nexus::mcp
