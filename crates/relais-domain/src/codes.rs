//! Enumerations sent as stable snake_case codes (forms, JSON, storage).

/// Declares an enumeration with its codes, `ALL`, `as_str` and `parse`
/// (which names `field` in its error).
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::FieldError> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    "" => Err($crate::FieldError::new($field, "required")),
                    _ => Err($crate::FieldError::new($field, "invalid_choice")),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use code_enum;
